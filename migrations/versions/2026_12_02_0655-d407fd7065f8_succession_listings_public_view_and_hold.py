"""succession listings: the generalised public form (k-anonymity) and the hold after a directory change

Revision ID: d407fd7065f8
Revises: fcab49a902b1
Create Date: 2026-12-02 06:55:13.660242

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd407fd7065f8'
down_revision = 'fcab49a902b1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('succession_listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_view', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('hold_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('held_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('succession_listings', schema=None) as batch_op:
        batch_op.drop_column('held_at')
        batch_op.drop_column('hold_reason')
        batch_op.drop_column('public_view')
