"""Certificates: the register (a snapshot and a signed Open Badges credential per certificate, status with reason and
successor, status-list indexes), its status history, the signed revocation and suspension status lists, employers'
API tokens (hashed) and bulk accreditation checks.

``certificates.sign_off_id`` is the assessment feature's stage_sign_offs.id, kept without a foreign key for now.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 07:41:45.670797
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.Enum('stage', 'award', name='certificate_kind', native_enum=False, length=32), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('sign_off_id', sa.Integer(), nullable=False),
    sa.Column('stage_code', sa.String(length=40), nullable=False),
    sa.Column('stage_position', sa.Integer(), nullable=False),
    sa.Column('template_code', sa.String(length=40), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('swe_number', sa.String(length=20), nullable=False),
    sa.Column('award_title', sa.String(length=200), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=False),
    sa.Column('subject_id', sa.String(length=80), nullable=False),
    sa.Column('snapshot_json', sa.Text(), nullable=False),
    sa.Column('credential_jws', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('valid', 'suspended', 'revoked', 'superseded', name='certificate_status', native_enum=False, length=32), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status_changed_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('revocation_index', sa.Integer(), nullable=False),
    sa.Column('suspension_index', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status NOT IN ('revoked', 'suspended') OR (status_changed_at IS NOT NULL AND status_reason <> '')", name=op.f('ck_certificates_status_change_has_reason')),
    sa.CheckConstraint('revocation_index >= 0 AND suspension_index >= 0', name=op.f('ck_certificates_indexes_not_negative')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_certificates_enrolment_id_enrolments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_certificates_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['practitioner_id'], ['users.id'], name=op.f('fk_certificates_practitioner_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['status_changed_by_id'], ['users.id'], name=op.f('fk_certificates_status_changed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['certificates.id'], name=op.f('fk_certificates_superseded_by_id_certificates'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('code', name=op.f('uq_certificates_code')),
    sa.UniqueConstraint('revocation_index', name=op.f('uq_certificates_revocation_index')),
    sa.UniqueConstraint('suspension_index', name=op.f('uq_certificates_suspension_index'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_enrolment_id_id', ['enrolment_id', 'id'], unique=False)
        batch_op.create_index('ix_certificates_practitioner_id_id', ['practitioner_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_sign_off_id'), ['sign_off_id'], unique=False)
        batch_op.create_index('ix_certificates_swe_number_id', ['swe_number', 'id'], unique=False)
        batch_op.create_index('ix_certificates_template_status', ['template_code', 'status', 'id'], unique=False)
        batch_op.create_index('uq_certificates_live_per_sign_off', ['sign_off_id', 'kind'], unique=True, sqlite_where=sa.text("status <> 'superseded'"), postgresql_where=sa.text("status <> 'superseded'"))

    op.create_table('certificate_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('issued', 'suspended', 'reinstated', 'revoked', 'superseded', name='certificate_event_action', native_enum=False, length=32), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('related_certificate_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_certificate_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_events_certificate_id_certificates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['related_certificate_id'], ['certificates.id'], name=op.f('fk_certificate_events_related_certificate_id_certificates'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_events'))
    )
    with op.batch_alter_table('certificate_events', schema=None) as batch_op:
        batch_op.create_index('ix_certificate_events_certificate_id_id', ['certificate_id', 'id'], unique=False)

    op.create_table('credential_status_lists',
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('token', sa.Text(), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('set_count', sa.Integer(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('purpose', name=op.f('pk_credential_status_lists'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_tokens_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_api_tokens_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_api_tokens_revoked_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_api_tokens_organisation_id_id', ['organisation_id', 'id'], unique=False)

    op.create_table('accreditation_check_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_accreditation_check_batches_created_by_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_accreditation_check_batches_organisation_id_organisations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accreditation_check_batches'))
    )
    with op.batch_alter_table('accreditation_check_batches', schema=None) as batch_op:
        batch_op.create_index('ix_accreditation_check_batches_created_by_id_id', ['created_by_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('accreditation_check_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_accreditation_check_batches_created_by_id_id')

    op.drop_table('accreditation_check_batches')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_api_tokens_organisation_id_id')

    op.drop_table('api_tokens')
    op.drop_table('credential_status_lists')
    with op.batch_alter_table('certificate_events', schema=None) as batch_op:
        batch_op.drop_index('ix_certificate_events_certificate_id_id')

    op.drop_table('certificate_events')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('uq_certificates_live_per_sign_off', sqlite_where=sa.text("status <> 'superseded'"), postgresql_where=sa.text("status <> 'superseded'"))
        batch_op.drop_index('ix_certificates_template_status')
        batch_op.drop_index('ix_certificates_swe_number_id')
        batch_op.drop_index(batch_op.f('ix_certificates_sign_off_id'))
        batch_op.drop_index('ix_certificates_practitioner_id_id')
        batch_op.drop_index('ix_certificates_enrolment_id_id')

    op.drop_table('certificates')
