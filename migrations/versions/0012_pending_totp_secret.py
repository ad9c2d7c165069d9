"""The two-factor key offered on the set-up page is kept on the user until confirmed or replaced (it was made anew
on every visit to the page, so a second request, such as the browser's favicon, changed it behind the person's back).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 01:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_pending_secret', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp_pending_secret')
