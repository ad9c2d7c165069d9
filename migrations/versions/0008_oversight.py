"""Oversight and notifications: in-app notifications with their e-mail preferences per kind, the reminders already
sent (keyed by person, kind, subject and date, so the daily run is idempotent), and the enrolments whose evidence was
erased at the end of retention.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 07:42:44.851696
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_preferences'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_messages.id'], name=op.f('fk_notifications_outbox_message_id_outbox_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_unread', ['user_id'], unique=False, sqlite_where=sa.text('read_at IS NULL'), postgresql_where=sa.text('read_at IS NULL'))
        batch_op.create_index('ix_notifications_user_id_id', ['user_id', 'id'], unique=False)

    op.create_table('sent_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=120), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sent_reminders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_reminders')),
    sa.UniqueConstraint('user_id', 'kind', 'subject', 'on_date', name=op.f('uq_sent_reminders_user_id_kind_subject_on_date'))
    )
    with op.batch_alter_table('sent_reminders', schema=None) as batch_op:
        batch_op.create_index('ix_sent_reminders_sent_at', ['sent_at'], unique=False)

    op.create_table('retention_erasures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=False),
    sa.Column('retain_until', sa.Date(), nullable=False),
    sa.Column('erased', sa.JSON(), nullable=False),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('erased_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_retention_erasures_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['erased_by_id'], ['users.id'], name=op.f('fk_retention_erasures_erased_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_erasures')),
    sa.UniqueConstraint('enrolment_id', name=op.f('uq_retention_erasures_enrolment_id'))
    )


def downgrade() -> None:
    op.drop_table('retention_erasures')
    with op.batch_alter_table('sent_reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_sent_reminders_sent_at')

    op.drop_table('sent_reminders')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_id_id')
        batch_op.drop_index('ix_notifications_unread', sqlite_where=sa.text('read_at IS NULL'), postgresql_where=sa.text('read_at IS NULL'))

    op.drop_table('notifications')
    op.drop_table('notification_preferences')
