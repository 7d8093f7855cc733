"""The match index's change log: what each version of an index touched, so workers update it in place.

Revision ID: ef454e5eb47b
Revises: 85797a64a014
Create Date: 2026-12-02 10:11:56.450163

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'ef454e5eb47b'
down_revision = '85797a64a014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('index_changes',
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('factory_ids', sa.JSON(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('new_after_id', sa.Integer(), nullable=True),
    sa.Column('is_full', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', 'version', name=op.f('pk_index_changes'))
    )


def downgrade():
    op.drop_table('index_changes')
