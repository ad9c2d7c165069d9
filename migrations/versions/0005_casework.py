"""Casework evidence: items of every kind (case reflections, direct observations, feedback, supervision records)
with their verification state, history, standards mappings, anonymisation confirmations, single-use feedback links
and the items each supervision record discussed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 07:04:39.564158
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('casework_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('case_reflection', 'direct_observation', 'child_family_feedback', 'professional_feedback', 'supervision_record', name='casework_kind', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('draft', 'requested', 'verified', 'declined', name='verification_status', native_enum=False, length=32), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('case_reference', sa.String(length=40), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('activity', sa.String(length=48), nullable=True),
    sa.Column('practitioner_role', sa.String(length=16), nullable=True),
    sa.Column('stage_code', sa.String(length=40), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('observer_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('content_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind <> 'case_reflection' OR (category IS NOT NULL AND activity IS NOT NULL AND practitioner_role IS NOT NULL)", name=op.f('ck_casework_items_reflection_classified')),
    sa.CheckConstraint("kind <> 'direct_observation' OR observer_id IS NOT NULL", name=op.f('ck_casework_items_observation_has_observer')),
    sa.CheckConstraint("kind = 'supervision_record' OR case_reference IS NOT NULL", name=op.f('ck_casework_items_case_reference_given')),
    sa.CheckConstraint("status <> 'requested' OR requested_at IS NOT NULL", name=op.f('ck_casework_items_requested_has_time')),
    sa.CheckConstraint("status <> 'verified' OR (verified_at IS NOT NULL AND verified_by_id IS NOT NULL)", name=op.f('ck_casework_items_verified_has_verifier')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_casework_items_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_casework_items_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['observer_id'], ['users.id'], name=op.f('fk_casework_items_observer_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['practitioner_id'], ['users.id'], name=op.f('fk_casework_items_practitioner_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_casework_items_verified_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_casework_items'))
    )
    with op.batch_alter_table('casework_items', schema=None) as batch_op:
        batch_op.create_index('ix_casework_items_enrolment_occurred', ['enrolment_id', 'occurred_on', 'id'], unique=False)
        batch_op.create_index('ix_casework_items_observer_id', ['observer_id'], unique=False)
        batch_op.create_index('ix_casework_items_pending', ['requested_at', 'id'], unique=False, sqlite_where=sa.text("status = 'requested'"), postgresql_where=sa.text("status = 'requested'"))
        batch_op.create_index('ix_casework_items_practitioner_id', ['practitioner_id'], unique=False)

    op.create_table('casework_confirmed_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_casework_confirmed_findings_confirmed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['casework_items.id'], name=op.f('fk_casework_confirmed_findings_item_id_casework_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_casework_confirmed_findings')),
    sa.UniqueConstraint('item_id', 'fingerprint', name=op.f('uq_casework_confirmed_findings_item_id_fingerprint'))
    )
    op.create_table('casework_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('created', 'edited', 'requested', 'withdrawn', 'verified', 'declined', 'voided', 'commented', 'finding_redacted', 'finding_confirmed', 'feedback_received', name='casework_event_action', native_enum=False, length=32), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_casework_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['casework_items.id'], name=op.f('fk_casework_events_item_id_casework_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_casework_events'))
    )
    with op.batch_alter_table('casework_events', schema=None) as batch_op:
        batch_op.create_index('ix_casework_events_item_id_id', ['item_id', 'id'], unique=False)

    op.create_table('casework_feedback_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('case_reflection', 'direct_observation', 'child_family_feedback', 'professional_feedback', 'supervision_record', name='casework_kind', native_enum=False, length=32), nullable=False),
    sa.Column('case_reference', sa.String(length=40), nullable=False),
    sa.Column('respondent_description', sa.String(length=100), nullable=False),
    sa.Column('nonce_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('child_family_feedback', 'professional_feedback')", name=op.f('ck_casework_feedback_requests_feedback_kind')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_casework_feedback_requests_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['casework_items.id'], name=op.f('fk_casework_feedback_requests_item_id_casework_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['practitioner_id'], ['users.id'], name=op.f('fk_casework_feedback_requests_practitioner_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_casework_feedback_requests')),
    sa.UniqueConstraint('item_id', name=op.f('uq_casework_feedback_requests_item_id'))
    )
    with op.batch_alter_table('casework_feedback_requests', schema=None) as batch_op:
        batch_op.create_index('ix_casework_feedback_requests_enrolment_created', ['enrolment_id', 'created_at', 'id'], unique=False)

    op.create_table('casework_item_statements',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('statement_code', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['casework_items.id'], name=op.f('fk_casework_item_statements_item_id_casework_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'statement_code', name=op.f('pk_casework_item_statements'))
    )
    op.create_table('casework_supervision_items',
    sa.Column('supervision_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['casework_items.id'], name=op.f('fk_casework_supervision_items_item_id_casework_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supervision_id'], ['casework_items.id'], name=op.f('fk_casework_supervision_items_supervision_id_casework_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('supervision_id', 'item_id', name=op.f('pk_casework_supervision_items'))
    )
    with op.batch_alter_table('casework_supervision_items', schema=None) as batch_op:
        batch_op.create_index('ix_casework_supervision_items_item_id', ['item_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('casework_supervision_items', schema=None) as batch_op:
        batch_op.drop_index('ix_casework_supervision_items_item_id')

    op.drop_table('casework_supervision_items')
    op.drop_table('casework_item_statements')
    with op.batch_alter_table('casework_feedback_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_casework_feedback_requests_enrolment_created')

    op.drop_table('casework_feedback_requests')
    with op.batch_alter_table('casework_events', schema=None) as batch_op:
        batch_op.drop_index('ix_casework_events_item_id_id')

    op.drop_table('casework_events')
    op.drop_table('casework_confirmed_findings')
    with op.batch_alter_table('casework_items', schema=None) as batch_op:
        batch_op.drop_index('ix_casework_items_practitioner_id')
        batch_op.drop_index('ix_casework_items_pending', sqlite_where=sa.text("status = 'requested'"), postgresql_where=sa.text("status = 'requested'"))
        batch_op.drop_index('ix_casework_items_observer_id')
        batch_op.drop_index('ix_casework_items_enrolment_occurred')

    op.drop_table('casework_items')
