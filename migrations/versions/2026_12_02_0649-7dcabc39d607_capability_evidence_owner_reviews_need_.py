"""Capability evidence (listed / prose / outsourced) with the phrase, owners' reviews of inferred capabilities,
and the seeker's correction of how a need was read (issue 9).

Revision ID: 7dcabc39d607
Revises: d407fd7065f8
Create Date: 2026-12-02 06:49:59.439299

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7dcabc39d607'
down_revision = 'd407fd7065f8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('factory_capability_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('factory_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_factory_capability_reviews_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['factory_id'], ['factories.id'], name=op.f('fk_factory_capability_reviews_factory_id_factories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_factory_capability_reviews')),
    sa.UniqueConstraint('factory_id', 'kind', 'code', name=op.f('uq_factory_capability_reviews_factory_id'))
    )
    with op.batch_alter_table('factory_capability_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_factory_capability_reviews_factory_id'), ['factory_id'], unique=False)

    with op.batch_alter_table('factory_capabilities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence', sa.String(length=12), server_default='listed', nullable=False))
        batch_op.add_column(sa.Column('phrase', sa.String(length=200), server_default='', nullable=False))

    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reading', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_column('reading')

    with op.batch_alter_table('factory_capabilities', schema=None) as batch_op:
        batch_op.drop_column('phrase')
        batch_op.drop_column('evidence')

    with op.batch_alter_table('factory_capability_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_factory_capability_reviews_factory_id'))

    op.drop_table('factory_capability_reviews')
