"""The pathway: published programme templates and standards sets, enrolments with their clock (pauses,
extensions), supervisor and employment history, review meetings, self-assessments, documents and external results.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 06:57:06.924357
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('programme_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('source_yaml', sa.Text(), nullable=False),
    sa.Column('source_name', sa.String(length=255), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_programme_versions_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_versions')),
    sa.UniqueConstraint('code', 'version', name=op.f('uq_programme_versions_code_version'))
    )
    with op.batch_alter_table('programme_versions', schema=None) as batch_op:
        batch_op.create_index('ix_programme_versions_published_at_id', ['published_at', 'id'], unique=False)

    op.create_table('standards_set_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('source_yaml', sa.Text(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('loaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['loaded_by_id'], ['users.id'], name=op.f('fk_standards_set_versions_loaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standards_set_versions')),
    sa.UniqueConstraint('code', 'version', name=op.f('uq_standards_set_versions_code_version'))
    )
    op.create_table('enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('programme_version_id', sa.Integer(), nullable=False),
    sa.Column('programme_code', sa.String(length=40), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('fte', sa.Numeric(precision=3, scale=2), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('active', 'completed', 'withdrawn', name='enrolment_status', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('fte > 0 AND fte <= 1', name=op.f('ck_enrolments_fte_in_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_enrolments_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_enrolments_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['practitioner_id'], ['users.id'], name=op.f('fk_enrolments_practitioner_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['programme_version_id'], ['programme_versions.id'], name=op.f('fk_enrolments_programme_version_id_programme_versions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_enrolments_supervisor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolments'))
    )
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index('ix_enrolments_organisation_id_id', ['organisation_id', 'id'], unique=False)
        batch_op.create_index('ix_enrolments_practitioner_id_id', ['practitioner_id', 'id'], unique=False)
        batch_op.create_index('ix_enrolments_programme_version_id', ['programme_version_id'], unique=False)
        batch_op.create_index('ix_enrolments_supervisor_id_id', ['supervisor_id', 'id'], unique=False)
        batch_op.create_index('uq_enrolments_one_active_per_programme', ['practitioner_id', 'programme_code'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table('employment_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= started_on', name=op.f('ck_employment_periods_ends_after_start')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_employment_periods_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_employment_periods_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employment_periods'))
    )
    with op.batch_alter_table('employment_periods', schema=None) as batch_op:
        batch_op.create_index('ix_employment_periods_enrolment_started', ['enrolment_id', 'started_on', 'id'], unique=False)
        batch_op.create_index('uq_employment_periods_one_open', ['enrolment_id'], unique=True, sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))

    op.create_table('enrolment_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('stage_code', sa.String(length=40), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_enrolment_documents_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_enrolment_documents_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment_documents'))
    )
    with op.batch_alter_table('enrolment_documents', schema=None) as batch_op:
        batch_op.create_index('ix_enrolment_documents_enrolment_completed', ['enrolment_id', 'completed_on', 'id'], unique=False)

    op.create_table('enrolment_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('stage_code', sa.String(length=40), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('months >= 0 AND days >= 0 AND months + days > 0', name=op.f('ck_enrolment_extensions_adds_time')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_enrolment_extensions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_enrolment_extensions_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment_extensions'))
    )
    with op.batch_alter_table('enrolment_extensions', schema=None) as batch_op:
        batch_op.create_index('ix_enrolment_extensions_enrolment_id', ['enrolment_id', 'id'], unique=False)

    op.create_table('enrolment_pauses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.Enum('parental_leave', 'sickness', 'career_break', 'other', name='pause_reason', native_enum=False, length=32), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_enrolment_pauses_ends_after_start')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_enrolment_pauses_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_enrolment_pauses_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment_pauses'))
    )
    with op.batch_alter_table('enrolment_pauses', schema=None) as batch_op:
        batch_op.create_index('ix_enrolment_pauses_enrolment_start', ['enrolment_id', 'start_date'], unique=False)

    op.create_table('external_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('stage_code', sa.String(length=40), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_external_results_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_external_results_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_results'))
    )
    with op.batch_alter_table('external_results', schema=None) as batch_op:
        batch_op.create_index('ix_external_results_enrolment_recorded', ['enrolment_id', 'recorded_on', 'id'], unique=False)

    op.create_table('review_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('review_code', sa.String(length=40), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('attendees', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('development_plan', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_review_meetings_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_review_meetings_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_meetings')),
    sa.UniqueConstraint('enrolment_id', 'review_code', name=op.f('uq_review_meetings_enrolment_id_review_code'))
    )
    with op.batch_alter_table('review_meetings', schema=None) as batch_op:
        batch_op.create_index('ix_review_meetings_enrolment_held', ['enrolment_id', 'held_on'], unique=False)

    op.create_table('supervisor_allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= started_on', name=op.f('ck_supervisor_allocations_ends_after_start')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_supervisor_allocations_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_supervisor_allocations_supervisor_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervisor_allocations'))
    )
    with op.batch_alter_table('supervisor_allocations', schema=None) as batch_op:
        batch_op.create_index('ix_supervisor_allocations_enrolment_started', ['enrolment_id', 'started_on', 'id'], unique=False)
        batch_op.create_index('ix_supervisor_allocations_supervisor_enrolment', ['supervisor_id', 'enrolment_id'], unique=False)
        batch_op.create_index('uq_supervisor_allocations_one_open', ['enrolment_id'], unique=True, sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))

    op.create_table('self_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('review_meeting_id', sa.Integer(), nullable=True),
    sa.Column('stage_code', sa.String(length=40), nullable=True),
    sa.Column('point', sa.String(length=10), nullable=False),
    sa.Column('set_code', sa.String(length=40), nullable=False),
    sa.Column('ratings', sa.JSON(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("point IN ('start', 'middle', 'end')", name=op.f('ck_self_assessments_known_point')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_self_assessments_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_self_assessments_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_meeting_id'], ['review_meetings.id'], name=op.f('fk_self_assessments_review_meeting_id_review_meetings'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessments'))
    )
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.create_index('ix_self_assessments_enrolment_completed', ['enrolment_id', 'completed_on'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_self_assessments_enrolment_completed')

    op.drop_table('self_assessments')
    with op.batch_alter_table('supervisor_allocations', schema=None) as batch_op:
        batch_op.drop_index('uq_supervisor_allocations_one_open', sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))
        batch_op.drop_index('ix_supervisor_allocations_supervisor_enrolment')
        batch_op.drop_index('ix_supervisor_allocations_enrolment_started')

    op.drop_table('supervisor_allocations')
    with op.batch_alter_table('review_meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_review_meetings_enrolment_held')

    op.drop_table('review_meetings')
    with op.batch_alter_table('external_results', schema=None) as batch_op:
        batch_op.drop_index('ix_external_results_enrolment_recorded')

    op.drop_table('external_results')
    with op.batch_alter_table('enrolment_pauses', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolment_pauses_enrolment_start')

    op.drop_table('enrolment_pauses')
    with op.batch_alter_table('enrolment_extensions', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolment_extensions_enrolment_id')

    op.drop_table('enrolment_extensions')
    with op.batch_alter_table('enrolment_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolment_documents_enrolment_completed')

    op.drop_table('enrolment_documents')
    with op.batch_alter_table('employment_periods', schema=None) as batch_op:
        batch_op.drop_index('uq_employment_periods_one_open', sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))
        batch_op.drop_index('ix_employment_periods_enrolment_started')

    op.drop_table('employment_periods')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index('uq_enrolments_one_active_per_programme', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index('ix_enrolments_supervisor_id_id')
        batch_op.drop_index('ix_enrolments_programme_version_id')
        batch_op.drop_index('ix_enrolments_practitioner_id_id')
        batch_op.drop_index('ix_enrolments_organisation_id_id')

    op.drop_table('enrolments')
    op.drop_table('standards_set_versions')
    with op.batch_alter_table('programme_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_programme_versions_published_at_id')

    op.drop_table('programme_versions')
