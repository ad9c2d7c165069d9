"""Role invitations: an existing account invited into an organisation accepts before it gets the role. The link is
an account token (purpose 'role_invitation') that records the role and organisation offered.

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-08 01:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.Enum('practitioner', 'supervisor', 'assessor', 'moderator',
                                                      'employer_admin', 'programme_admin', name='role',
                                                      native_enum=False, length=32), nullable=True))
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_account_tokens_organisation_id_organisations'), 'organisations',
                                    ['organisation_id'], ['id'], ondelete='CASCADE')


def downgrade() -> None:
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_account_tokens_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_column('organisation_id')
        batch_op.drop_column('role')
