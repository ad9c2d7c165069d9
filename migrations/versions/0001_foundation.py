"""Foundation: organisations, people and scoped roles, account links, two-factor recovery codes, the mail
outbox and the hash-chained audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-30 06:47:50.225968
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('local_authority', 'childrens_trust', 'voluntary', 'independent', name='organisation_kind', native_enum=False, length=32), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('code', name=op.f('uq_organisations_code'))
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index('ix_organisations_name_id', ['name', 'id'], unique=False)

    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', name='outbox_status', native_enum=False, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_pending', ['next_attempt_at', 'id'], unique=False, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('swe_number', sa.String(length=20), nullable=True),
    sa.Column('status', sa.Enum('invited', 'active', 'disabled', name='user_status', native_enum=False, length=32), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('failed_sign_ins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('totp_last_timestep', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('failed_sign_ins >= 0', name=op.f('ck_users_failed_sign_ins_not_negative')),
    sa.CheckConstraint('session_version >= 1', name=op.f('ck_users_session_version_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('swe_number', name=op.f('uq_users_swe_number'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_name_id', ['name', 'id'], unique=False)

    op.create_table('account_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('invitation', 'password_reset', name='token_purpose', native_enum=False, length=32), nullable=False),
    sa.Column('nonce_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_account_tokens_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_tokens'))
    )
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_account_tokens_user_purpose', ['user_id', 'purpose'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('subject_type', sa.String(length=60), nullable=True),
    sa.Column('subject_id', sa.String(length=64), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index('ix_audit_events_actor_id_id', ['actor_id', 'id'], unique=False)
        batch_op.create_index('ix_audit_events_subject', ['subject_type', 'subject_id', 'id'], unique=False)

    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    op.create_table('role_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('practitioner', 'supervisor', 'assessor', 'moderator', 'employer_admin', 'programme_admin', name='role', native_enum=False, length=32), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(role = 'programme_admin' AND organisation_id IS NULL) OR (role <> 'programme_admin' AND organisation_id IS NOT NULL)", name=op.f('ck_role_grants_scope_matches_role')),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_role_grants_granted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_role_grants_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_role_grants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_grants'))
    )
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.create_index('ix_role_grants_organisation_role', ['organisation_id', 'role'], unique=False)
        batch_op.create_index('uq_role_grants_user_role_national', ['user_id', 'role'], unique=True, sqlite_where=sa.text("organisation_id IS NULL"), postgresql_where=sa.text("organisation_id IS NULL"))
        batch_op.create_index('uq_role_grants_user_role_org', ['user_id', 'role', 'organisation_id'], unique=True, sqlite_where=sa.text("organisation_id IS NOT NULL"), postgresql_where=sa.text("organisation_id IS NOT NULL"))



def downgrade() -> None:
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_index('uq_role_grants_user_role_org', sqlite_where=sa.text("organisation_id IS NOT NULL"), postgresql_where=sa.text("organisation_id IS NOT NULL"))
        batch_op.drop_index('uq_role_grants_user_role_national', sqlite_where=sa.text("organisation_id IS NULL"), postgresql_where=sa.text("organisation_id IS NULL"))
        batch_op.drop_index('ix_role_grants_organisation_role')

    op.drop_table('role_grants')
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))

    op.drop_table('recovery_codes')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_subject')
        batch_op.drop_index('ix_audit_events_actor_id_id')
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))

    op.drop_table('audit_events')
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_account_tokens_user_purpose')

    op.drop_table('account_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_name_id')

    op.drop_table('users')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_pending', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.drop_table('outbox_messages')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index('ix_organisations_name_id')

    op.drop_table('organisations')
