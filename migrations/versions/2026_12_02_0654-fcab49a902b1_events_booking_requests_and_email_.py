"""events: booking requests and email confirmation (issue 10, finding 3)

event_booking_requests holds bookings asked for without an account while EVENTS_BOOKING_EMAIL_CONFIRMATION is on
(no seat until the emailed link is used); event_bookings gains email_confirmed_at (the booker proved the address)
and notice_sent_at (the last "you already have a booking" email, at most one an hour).

Revision ID: fcab49a902b1
Revises: 36f12fd1647c
Create Date: 2026-12-02 06:54:14.373729

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fcab49a902b1'
down_revision = '36f12fd1647c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_booking_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('email_key', sa.String(length=254), nullable=False),
    sa.Column('party_size', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['event_bookings.id'], name=op.f('fk_event_booking_requests_booking_id_event_bookings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['slot_id'], ['event_slots.id'], name=op.f('fk_event_booking_requests_slot_id_event_slots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_booking_requests'))
    )
    with op.batch_alter_table('event_booking_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_booking_requests_email_key'), ['email_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_booking_requests_slot_id'), ['slot_id'], unique=False)

    with op.batch_alter_table('event_bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('notice_sent_at', sa.DateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('event_bookings', schema=None) as batch_op:
        batch_op.drop_column('notice_sent_at')
        batch_op.drop_column('email_confirmed_at')

    with op.batch_alter_table('event_booking_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_booking_requests_slot_id'))
        batch_op.drop_index(batch_op.f('ix_event_booking_requests_email_key'))

    op.drop_table('event_booking_requests')
