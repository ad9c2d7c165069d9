"""Assessment: teams (for the "same team" conflict rule), stage submissions with their sealed versions, sealed item
copies and state history, markings (first and blind second, with a version counter for optimistic locking),
second-marking sample draws, appeals and stage sign-offs.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 07:41:03.484710
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sample_draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_organisation_id', sa.Integer(), nullable=True),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('random_percentage', sa.Integer(), nullable=False),
    sa.Column('first_n', sa.Integer(), nullable=False),
    sa.Column('recommendations', sa.Integer(), nullable=False),
    sa.Column('sampled', sa.Integer(), nullable=False),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['users.id'], name=op.f('fk_sample_draws_drawn_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['panel_organisation_id'], ['organisations.id'], name=op.f('fk_sample_draws_panel_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_draws'))
    )
    with op.batch_alter_table('sample_draws', schema=None) as batch_op:
        batch_op.create_index('ix_sample_draws_panel_drawn', ['panel_organisation_id', 'drawn_at'], unique=False)

    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_teams_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_teams_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('organisation_id', 'name', name=op.f('uq_teams_organisation_id_name'))
    )
    op.create_table('team_memberships',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_team_memberships_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_memberships_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_team_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'user_id', name=op.f('pk_team_memberships'))
    )
    with op.batch_alter_table('team_memberships', schema=None) as batch_op:
        batch_op.create_index('ix_team_memberships_user_id', ['user_id'], unique=False)

    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('stage_code', sa.String(length=40), nullable=False),
    sa.Column('independent', sa.Boolean(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'under_assessment', 'referred', 'resubmitted', 'recommended', 'moderation', 'confirmed', 'returned', 'signed_off', 'certificate_issued', 'incomplete_evidence', 'extended', 'paused', 'withdrawn', name='submission_state', native_enum=False, length=32), nullable=False),
    sa.Column('paused_from', sa.Enum('draft', 'submitted', 'under_assessment', 'referred', 'resubmitted', 'recommended', 'moderation', 'confirmed', 'returned', 'signed_off', 'certificate_issued', 'incomplete_evidence', 'extended', 'paused', 'withdrawn', name='submission_state', native_enum=False, length=32), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('chosen_items', sa.JSON(), nullable=False),
    sa.Column('agreement_by_id', sa.Integer(), nullable=True),
    sa.Column('agreement_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('agreement_reason', sa.Text(), nullable=True),
    sa.Column('agreement_unmet', sa.JSON(), nullable=False),
    sa.Column('assessor_id', sa.Integer(), nullable=True),
    sa.Column('allocated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('allocated_by_id', sa.Integer(), nullable=True),
    sa.Column('assessor_due_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.Enum('PASS', 'PASS_DEV', 'EXTEND', 'INCOMPLETE', 'FAIL', name='outcome', native_enum=False, length=32), nullable=True),
    sa.Column('incomplete_deadline', sa.Date(), nullable=True),
    sa.Column('extended_to', sa.Date(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('sample_draw_id', sa.Integer(), nullable=True),
    sa.Column('sample_reasons', sa.JSON(), nullable=True),
    sa.Column('second_marker_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(state = 'paused' AND paused_from IS NOT NULL) OR (state <> 'paused' AND paused_from IS NULL)", name=op.f('ck_submissions_paused_remembers_state')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('PASS', 'PASS_DEV', 'EXTEND', 'INCOMPLETE', 'FAIL')", name=op.f('ck_submissions_known_outcome')),
    sa.CheckConstraint("state = 'draft' OR state = 'withdrawn' OR version >= 1", name=op.f('ck_submissions_sealed_after_draft')),
    sa.CheckConstraint("state IN ('draft', 'submitted', 'under_assessment', 'referred', 'resubmitted', 'recommended', 'moderation', 'confirmed', 'returned', 'signed_off', 'certificate_issued', 'incomplete_evidence', 'extended', 'paused', 'withdrawn')", name=op.f('ck_submissions_known_state')),
    sa.CheckConstraint('(agreement_by_id IS NULL AND agreement_at IS NULL AND agreement_reason IS NULL) OR (agreement_at IS NOT NULL AND agreement_reason IS NOT NULL)', name=op.f('ck_submissions_agreement_whole')),
    sa.CheckConstraint('version >= 0', name=op.f('ck_submissions_version_not_negative')),
    sa.ForeignKeyConstraint(['agreement_by_id'], ['users.id'], name=op.f('fk_submissions_agreement_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['allocated_by_id'], ['users.id'], name=op.f('fk_submissions_allocated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assessor_id'], ['users.id'], name=op.f('fk_submissions_assessor_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_submissions_enrolment_id_enrolments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['practitioner_id'], ['users.id'], name=op.f('fk_submissions_practitioner_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['sample_draw_id'], ['sample_draws.id'], name=op.f('fk_submissions_sample_draw_id_sample_draws'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['second_marker_id'], ['users.id'], name=op.f('fk_submissions_second_marker_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_assessor_due', ['assessor_id', 'assessor_due_on', 'id'], unique=False)
        batch_op.create_index('ix_submissions_assessor_submitted', ['assessor_id', 'submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_submissions_practitioner_id', ['practitioner_id', 'id'], unique=False)
        batch_op.create_index('ix_submissions_second_marker_id', ['second_marker_id'], unique=False)
        batch_op.create_index('ix_submissions_state_id', ['state', 'id'], unique=False)
        batch_op.create_index('uq_submissions_one_per_stage', ['enrolment_id', 'stage_code'], unique=True, sqlite_where=sa.text("state <> 'withdrawn'"), postgresql_where=sa.text("state <> 'withdrawn'"))

    op.create_table('appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('lodged', 'upheld', 'dismissed', name='appeal_state', native_enum=False, length=32), nullable=False),
    sa.Column('grounds', sa.Text(), nullable=False),
    sa.Column('original_outcome', sa.Enum('PASS', 'PASS_DEV', 'EXTEND', 'INCOMPLETE', 'FAIL', name='outcome', native_enum=False, length=32), nullable=False),
    sa.Column('decision_on', sa.Date(), nullable=False),
    sa.Column('lodged_on', sa.Date(), nullable=False),
    sa.Column('lodged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lodged_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewer_assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('replacement_outcome', sa.Enum('PASS', 'PASS_DEV', 'EXTEND', 'INCOMPLETE', 'FAIL', name='outcome', native_enum=False, length=32), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("replacement_outcome IS NULL OR replacement_outcome IN ('PASS', 'PASS_DEV', 'EXTEND', 'INCOMPLETE', 'FAIL')", name=op.f('ck_appeals_known_outcome')),
    sa.CheckConstraint("state = 'lodged' OR (decided_at IS NOT NULL AND reasons <> '')", name=op.f('ck_appeals_decided_whole')),
    sa.CheckConstraint("state IN ('lodged', 'upheld', 'dismissed')", name=op.f('ck_appeals_known_state')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_appeals_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lodged_by_id'], ['users.id'], name=op.f('fk_appeals_lodged_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewer_assigned_by_id'], ['users.id'], name=op.f('fk_appeals_reviewer_assigned_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_appeals_reviewer_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_appeals_submission_id_submissions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals')),
    sa.UniqueConstraint('submission_id', 'decision_on', name=op.f('uq_appeals_submission_id_decision_on'))
    )
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.create_index('ix_appeals_reviewer_id', ['reviewer_id'], unique=False)
        batch_op.create_index('ix_appeals_state_id', ['state', 'id'], unique=False)
        batch_op.create_index('uq_appeals_one_open', ['submission_id'], unique=True, sqlite_where=sa.text("state = 'lodged'"), postgresql_where=sa.text("state = 'lodged'"))

    op.create_table('markings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('marker_id', sa.Integer(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.Enum('PASS', 'PASS_DEV', 'EXTEND', 'INCOMPLETE', 'FAIL', name='outcome', native_enum=False, length=32), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('development_points', sa.Text(), nullable=False),
    sa.Column('missing_evidence', sa.Text(), nullable=False),
    sa.Column('incomplete_deadline', sa.Date(), nullable=True),
    sa.Column('extend_to', sa.Date(), nullable=True),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('saved_by_id', sa.Integer(), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("finished_at IS NULL OR (outcome IS NOT NULL AND feedback <> '')", name=op.f('ck_markings_finished_whole')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('PASS', 'PASS_DEV', 'EXTEND', 'INCOMPLETE', 'FAIL')", name=op.f('ck_markings_known_outcome')),
    sa.CheckConstraint("role IN ('first', 'second')", name=op.f('ck_markings_known_role')),
    sa.ForeignKeyConstraint(['marker_id'], ['users.id'], name=op.f('fk_markings_marker_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['saved_by_id'], ['users.id'], name=op.f('fk_markings_saved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_markings_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_markings')),
    sa.UniqueConstraint('submission_id', 'version', 'role', 'marker_id', name=op.f('uq_markings_submission_id_version_role_marker_id'))
    )
    with op.batch_alter_table('markings', schema=None) as batch_op:
        batch_op.create_index('ix_markings_marker_id', ['marker_id', 'id'], unique=False)

    op.create_table('stage_sign_offs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('stage_code', sa.String(length=40), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('PASS', 'PASS_DEV', 'EXTEND', 'INCOMPLETE', 'FAIL', name='outcome', native_enum=False, length=32), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('signed_off_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signed_off_by_id', sa.Integer(), nullable=True),
    sa.Column('manifest_digest', sa.String(length=64), nullable=False),
    sa.Column('signatory_roles', sa.JSON(), nullable=False),
    sa.Column('is_award', sa.Boolean(), nullable=False),
    sa.Column('reversed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reversed_by_id', sa.Integer(), nullable=True),
    sa.Column('reversed_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("outcome IN ('PASS', 'PASS_DEV')", name=op.f('ck_stage_sign_offs_passing_outcome')),
    sa.CheckConstraint('(reversed_at IS NULL AND reversed_reason IS NULL) OR (reversed_at IS NOT NULL AND reversed_reason IS NOT NULL)', name=op.f('ck_stage_sign_offs_reversal_whole')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_stage_sign_offs_enrolment_id_enrolments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reversed_by_id'], ['users.id'], name=op.f('fk_stage_sign_offs_reversed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['signed_off_by_id'], ['users.id'], name=op.f('fk_stage_sign_offs_signed_off_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_stage_sign_offs_submission_id_submissions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_sign_offs'))
    )
    with op.batch_alter_table('stage_sign_offs', schema=None) as batch_op:
        batch_op.create_index('ix_stage_sign_offs_submission_id', ['submission_id'], unique=False)
        batch_op.create_index('uq_stage_sign_offs_one_standing', ['enrolment_id', 'stage_code'], unique=True, sqlite_where=sa.text('reversed_at IS NULL'), postgresql_where=sa.text('reversed_at IS NULL'))

    op.create_table('submission_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_state', sa.String(length=32), nullable=True),
    sa.Column('to_state', sa.String(length=32), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=32), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_submission_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_events_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_events'))
    )
    with op.batch_alter_table('submission_events', schema=None) as batch_op:
        batch_op.create_index('ix_submission_events_submission_id_id', ['submission_id', 'id'], unique=False)

    op.create_table('submission_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('manifest', sa.JSON(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sealed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('number >= 1', name=op.f('ck_submission_versions_numbered')),
    sa.ForeignKeyConstraint(['sealed_by_id'], ['users.id'], name=op.f('fk_submission_versions_sealed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_versions_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_versions')),
    sa.UniqueConstraint('submission_id', 'number', name=op.f('uq_submission_versions_submission_id_number'))
    )
    op.create_table('submission_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('item_key', sa.String(length=64), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['submission_versions.id'], name=op.f('fk_submission_items_version_id_submission_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_items')),
    sa.UniqueConstraint('version_id', 'kind', 'item_key', name=op.f('uq_submission_items_version_id_kind_item_key'))
    )
    with op.batch_alter_table('submission_items', schema=None) as batch_op:
        batch_op.create_index('ix_submission_items_kind_item_key', ['kind', 'item_key'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('submission_items', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_items_kind_item_key')

    op.drop_table('submission_items')
    op.drop_table('submission_versions')
    with op.batch_alter_table('submission_events', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_events_submission_id_id')

    op.drop_table('submission_events')
    with op.batch_alter_table('stage_sign_offs', schema=None) as batch_op:
        batch_op.drop_index('uq_stage_sign_offs_one_standing', sqlite_where=sa.text('reversed_at IS NULL'), postgresql_where=sa.text('reversed_at IS NULL'))
        batch_op.drop_index('ix_stage_sign_offs_submission_id')

    op.drop_table('stage_sign_offs')
    with op.batch_alter_table('markings', schema=None) as batch_op:
        batch_op.drop_index('ix_markings_marker_id')

    op.drop_table('markings')
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index('uq_appeals_one_open', sqlite_where=sa.text("state = 'lodged'"), postgresql_where=sa.text("state = 'lodged'"))
        batch_op.drop_index('ix_appeals_state_id')
        batch_op.drop_index('ix_appeals_reviewer_id')

    op.drop_table('appeals')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('uq_submissions_one_per_stage', sqlite_where=sa.text("state <> 'withdrawn'"), postgresql_where=sa.text("state <> 'withdrawn'"))
        batch_op.drop_index('ix_submissions_state_id')
        batch_op.drop_index('ix_submissions_second_marker_id')
        batch_op.drop_index('ix_submissions_practitioner_id')
        batch_op.drop_index('ix_submissions_assessor_submitted')
        batch_op.drop_index('ix_submissions_assessor_due')

    op.drop_table('submissions')
    with op.batch_alter_table('team_memberships', schema=None) as batch_op:
        batch_op.drop_index('ix_team_memberships_user_id')

    op.drop_table('team_memberships')
    op.drop_table('teams')
    with op.batch_alter_table('sample_draws', schema=None) as batch_op:
        batch_op.drop_index('ix_sample_draws_panel_drawn')

    op.drop_table('sample_draws')
