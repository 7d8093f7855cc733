"""Quotes and purchase orders on deal steps (issue 13): quotes with lines and revisions, purchase orders and their
acknowledgement, requests for quotes sent to several factories, and each factory's invoice and calendar settings.

Revision ID: 85797a64a014
Revises: ea14f9bf250c
Create Date: 2026-12-02 10:00:52.846134

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '85797a64a014'
down_revision = 'ea14f9bf250c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quote_issuer_settings',
    sa.Column('factory_id', sa.Integer(), nullable=False),
    sa.Column('invoice_number', sa.String(length=14), nullable=True),
    sa.Column('works_saturday', sa.Boolean(), nullable=False),
    sa.Column('closures', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['factory_id'], ['factories.id'], name=op.f('fk_quote_issuer_settings_factory_id_factories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('factory_id', name=op.f('pk_quote_issuer_settings'))
    )
    op.create_table('quote_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('alternatives', 'team')", name=op.f('ck_quote_requests_kind')),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_quote_requests_need_id_needs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_quote_requests_requester_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_requests'))
    )
    with op.batch_alter_table('quote_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_requests_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quote_requests_requester_id'), ['requester_id'], unique=False)

    op.create_table('quote_request_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['quote_requests.id'], name=op.f('fk_quote_request_items_request_id_quote_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['step_id'], ['deal_steps.id'], name=op.f('fk_quote_request_items_step_id_deal_steps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_request_items')),
    sa.UniqueConstraint('step_id', name=op.f('uq_quote_request_items_step_id'))
    )
    with op.batch_alter_table('quote_request_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_request_items_request_id'), ['request_id'], unique=False)

    op.create_table('quotes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=True),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('factory_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('price_basis', sa.String(length=4), nullable=False),
    sa.Column('rounding', sa.String(length=8), nullable=False),
    sa.Column('lead_days', sa.Integer(), nullable=True),
    sa.Column('delivery_date', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('material_supplied', sa.Boolean(), nullable=False),
    sa.Column('inspection_certificate', sa.Boolean(), nullable=False),
    sa.Column('shipping', sa.String(length=10), nullable=False),
    sa.Column('drawing_revision', sa.String(length=80), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('subtotal', sa.Integer(), nullable=False),
    sa.Column('tax', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('invoice_number', sa.String(length=14), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("price_basis IN ('excl', 'incl')", name=op.f('ck_quotes_price_basis')),
    sa.CheckConstraint("rounding IN ('floor', 'half_up', 'ceiling')", name=op.f('ck_quotes_rounding')),
    sa.CheckConstraint("shipping IN ('included', 'separate', 'pickup')", name=op.f('ck_quotes_shipping')),
    sa.CheckConstraint("status IN ('submitted', 'superseded', 'accepted', 'not_chosen', 'expired')", name=op.f('ck_quotes_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_quotes_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_quotes_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['factory_id'], ['factories.id'], name=op.f('fk_quotes_factory_id_factories')),
    sa.ForeignKeyConstraint(['step_id'], ['deal_steps.id'], name=op.f('fk_quotes_step_id_deal_steps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quotes')),
    sa.UniqueConstraint('number', name=op.f('uq_quotes_number')),
    sa.UniqueConstraint('step_id', 'revision', name=op.f('uq_quotes_step_id'))
    )
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quotes_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quotes_factory_id'), ['factory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quotes_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_quotes_step_id'), ['step_id'], unique=False)

    op.create_table('purchase_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=True),
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('factory_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('issued', 'acknowledged', 'delivered')", name=op.f('ck_purchase_orders_status')),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_purchase_orders_acknowledged_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_purchase_orders_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['factory_id'], ['factories.id'], name=op.f('fk_purchase_orders_factory_id_factories')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_purchase_orders_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.id'], name=op.f('fk_purchase_orders_quote_id_quotes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['step_id'], ['deal_steps.id'], name=op.f('fk_purchase_orders_step_id_deal_steps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_orders')),
    sa.UniqueConstraint('number', name=op.f('uq_purchase_orders_number')),
    sa.UniqueConstraint('quote_id', name=op.f('uq_purchase_orders_quote_id'))
    )
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_orders_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_orders_delivered_at'), ['delivered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_orders_factory_id'), ['factory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_orders_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_orders_step_id'), ['step_id'], unique=False)

    op.create_table('quote_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('tax_rate', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.id'], name=op.f('fk_quote_lines_quote_id_quotes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_lines'))
    )
    with op.batch_alter_table('quote_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_lines_quote_id'), ['quote_id'], unique=False)



def downgrade():
    with op.batch_alter_table('quote_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quote_lines_quote_id'))

    op.drop_table('quote_lines')
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_orders_step_id'))
        batch_op.drop_index(batch_op.f('ix_purchase_orders_status'))
        batch_op.drop_index(batch_op.f('ix_purchase_orders_factory_id'))
        batch_op.drop_index(batch_op.f('ix_purchase_orders_delivered_at'))
        batch_op.drop_index(batch_op.f('ix_purchase_orders_deal_id'))

    op.drop_table('purchase_orders')
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quotes_step_id'))
        batch_op.drop_index(batch_op.f('ix_quotes_status'))
        batch_op.drop_index(batch_op.f('ix_quotes_factory_id'))
        batch_op.drop_index(batch_op.f('ix_quotes_deal_id'))

    op.drop_table('quotes')
    with op.batch_alter_table('quote_request_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quote_request_items_request_id'))

    op.drop_table('quote_request_items')
    with op.batch_alter_table('quote_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quote_requests_requester_id'))
        batch_op.drop_index(batch_op.f('ix_quote_requests_need_id'))

    op.drop_table('quote_requests')
    op.drop_table('quote_issuer_settings')
