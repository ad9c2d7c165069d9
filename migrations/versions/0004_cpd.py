"""CPD: records with Social Work England's fields, the standards statements each maps to, and uploaded
attendance lists awaiting import.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 07:03:16.086385
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cpd_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('imported_count', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_cpd_imports_uploaded_by_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cpd_imports'))
    )
    with op.batch_alter_table('cpd_imports', schema=None) as batch_op:
        batch_op.create_index('ix_cpd_imports_uploaded_by_id', ['uploaded_by_id', 'id'], unique=False)

    op.create_table('cpd_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=True),
    sa.Column('stage_code', sa.String(length=40), nullable=True),
    sa.Column('status', sa.Enum('draft', 'complete', name='cpd_status', native_enum=False, length=32), nullable=False),
    sa.Column('activity_type', sa.Enum('course', 'reading', 'shadowing', 'supervision', 'research', 'e_learning', 'conference', 'other', name='cpd_type', native_enum=False, length=32), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('hours', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('participatory_hours', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('learning', sa.Text(), nullable=False),
    sa.Column('impact_practice', sa.Text(), nullable=False),
    sa.Column('impact_people', sa.Text(), nullable=False),
    sa.Column('peer_name', sa.String(length=200), nullable=False),
    sa.Column('peer_role', sa.String(length=200), nullable=False),
    sa.Column('peer_discussed_on', sa.Date(), nullable=True),
    sa.Column('peer_learning', sa.Text(), nullable=False),
    sa.Column('registration_year', sa.Integer(), nullable=True),
    sa.Column('activity_on', sa.Date(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status <> 'complete' OR (activity_type IS NOT NULL AND start_date IS NOT NULL AND end_date IS NOT NULL AND hours IS NOT NULL AND registration_year IS NOT NULL AND description <> '' AND learning <> '' AND impact_practice <> '' AND impact_people <> '')", name=op.f('ck_cpd_records_complete_has_answers')),
    sa.CheckConstraint("status <> 'complete' OR peer_learning = '' OR (peer_name <> '' AND peer_role <> '' AND peer_discussed_on IS NOT NULL)", name=op.f('ck_cpd_records_complete_peer_reflection')),
    sa.CheckConstraint('hours IS NULL OR (hours > 0 AND hours <= 1000)', name=op.f('ck_cpd_records_hours_in_range')),
    sa.CheckConstraint('participatory_hours IS NULL OR (participatory_hours >= 0 AND (hours IS NULL OR participatory_hours <= hours))', name=op.f('ck_cpd_records_participatory_in_range')),
    sa.CheckConstraint('start_date IS NULL OR end_date IS NULL OR end_date >= start_date', name=op.f('ck_cpd_records_dates_in_order')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_cpd_records_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_cpd_records_enrolment_id_enrolments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['import_id'], ['cpd_imports.id'], name=op.f('fk_cpd_records_import_id_cpd_imports'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['practitioner_id'], ['users.id'], name=op.f('fk_cpd_records_practitioner_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cpd_records'))
    )
    with op.batch_alter_table('cpd_records', schema=None) as batch_op:
        batch_op.create_index('ix_cpd_records_enrolment_id', ['enrolment_id'], unique=False)
        batch_op.create_index('ix_cpd_records_practitioner_activity', ['practitioner_id', 'activity_on', 'id'], unique=False)
        batch_op.create_index('ix_cpd_records_practitioner_year', ['practitioner_id', 'registration_year', 'status'], unique=False)

    op.create_table('cpd_record_standards',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('statement_code', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['cpd_records.id'], name=op.f('fk_cpd_record_standards_record_id_cpd_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', 'statement_code', name=op.f('pk_cpd_record_standards'))
    )
    with op.batch_alter_table('cpd_record_standards', schema=None) as batch_op:
        batch_op.create_index('ix_cpd_record_standards_statement_code', ['statement_code', 'record_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('cpd_record_standards', schema=None) as batch_op:
        batch_op.drop_index('ix_cpd_record_standards_statement_code')

    op.drop_table('cpd_record_standards')
    with op.batch_alter_table('cpd_records', schema=None) as batch_op:
        batch_op.drop_index('ix_cpd_records_practitioner_year')
        batch_op.drop_index('ix_cpd_records_practitioner_activity')
        batch_op.drop_index('ix_cpd_records_enrolment_id')

    op.drop_table('cpd_records')
    with op.batch_alter_table('cpd_imports', schema=None) as batch_op:
        batch_op.drop_index('ix_cpd_imports_uploaded_by_id')

    op.drop_table('cpd_imports')
