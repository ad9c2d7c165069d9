"""The dates each stage of an enrolment is current, so lists filter by current stage in SQL. Existing enrolments
get theirs from `portal db upgrade`, which fills in any enrolment without them after migrating.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 10:50:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('enrolment_stage_dates',
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('stage_code', sa.String(length=40), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'],
                            name=op.f('fk_enrolment_stage_dates_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('enrolment_id', 'stage_code', name=op.f('pk_enrolment_stage_dates'))
    )
    op.create_index('ix_enrolment_stage_dates_stage', 'enrolment_stage_dates', ['stage_code', 'starts_on', 'ends_on'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_enrolment_stage_dates_stage', table_name='enrolment_stage_dates')
    op.drop_table('enrolment_stage_dates')
