"""Chain composer (issue 12): drafts of chain requests, what each step asks, and drawings sent with one step.

- deal_chain_drafts / deal_chain_draft_files: what the requester is composing (per step: the chosen factory, the
  planner's candidates, quantity, deadline, material, note) and the drawings uploaded for each step, kept between
  the composer, the review page and sending.
- deal_steps.material and deal_steps.candidates: the material asked for, and the other factories the planner
  offered for the step (the next one is offered when the step is declined).
- deal_attachments.step_id: a drawing sent with one step's request, seen only by the requester and that factory.

Revision ID: f0db73e20412
Revises: e39a8015e06d
Create Date: 2026-12-02 09:55:32.543831

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f0db73e20412'
down_revision = 'e39a8015e06d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deal_chain_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('need_drawings', sa.JSON(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_chain_drafts_deal_id_deals'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_deal_chain_drafts_need_id_needs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_deal_chain_drafts_requester_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_chain_drafts'))
    )
    with op.batch_alter_table('deal_chain_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_chain_drafts_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deal_chain_drafts_requester_id'), ['requester_id'], unique=False)

    op.create_table('deal_chain_draft_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('step_index', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['deal_chain_drafts.id'], name=op.f('fk_deal_chain_draft_files_draft_id_deal_chain_drafts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_chain_draft_files')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_deal_chain_draft_files_stored_name'))
    )
    with op.batch_alter_table('deal_chain_draft_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_chain_draft_files_draft_id'), ['draft_id'], unique=False)

    with op.batch_alter_table('deal_attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_deal_attachments_step_id'), ['step_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_deal_attachments_step_id_deal_steps'), 'deal_steps', ['step_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('deal_steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('material', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('candidates', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('deal_steps', schema=None) as batch_op:
        batch_op.drop_column('candidates')
        batch_op.drop_column('material')

    with op.batch_alter_table('deal_attachments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_deal_attachments_step_id_deal_steps'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_deal_attachments_step_id'))
        batch_op.drop_column('step_id')

    with op.batch_alter_table('deal_chain_draft_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_chain_draft_files_draft_id'))

    op.drop_table('deal_chain_draft_files')
    with op.batch_alter_table('deal_chain_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_chain_drafts_requester_id'))
        batch_op.drop_index(batch_op.f('ix_deal_chain_drafts_need_id'))

    op.drop_table('deal_chain_drafts')
