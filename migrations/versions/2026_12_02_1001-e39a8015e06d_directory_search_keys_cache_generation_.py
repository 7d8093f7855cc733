"""Directory speed and search (issue 11/12): name keys for the search box, the cache generation, indexes for the
directory's order, the front page and capability filters.

Revision ID: e39a8015e06d
Revises: ef454e5eb47b
Create Date: 2026-12-02 10:01:05.671549

"""
import unicodedata
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e39a8015e06d'
down_revision = 'ef454e5eb47b'
branch_labels = None
depends_on = None

KEY_CHARS = 32
_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}


def _name_keys(*names):
    """As hub/factories/search.py's name_keys when this revision was written (kept here so that the migration does
    not change when the module does)."""
    keys = set()
    for name in names:
        text = unicodedata.normalize("NFKC", name or "").lower().translate(_KATAKANA).strip()
        for i, ch in enumerate(text):
            if ch.isspace() or not ch.isalnum():
                continue
            if i and ch.isascii() and ch.isalnum() and text[i - 1].isascii() and text[i - 1].isalnum():
                continue
            keys.add(text[i:i + KEY_CHARS].rstrip())
    return keys


def upgrade():
    generations = op.create_table(
        'cache_generations',
        sa.Column('name', sa.String(length=30), nullable=False),
        sa.Column('token', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_generations')),
    )
    op.bulk_insert(generations, [{"name": "public", "token": f"0-{uuid.uuid4().hex[:12]}"}])
    keys = op.create_table(
        'factory_name_keys',
        sa.Column('factory_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=32).with_variant(sa.String(length=32, collation='C'), 'postgresql'),
                  nullable=False),
        sa.ForeignKeyConstraint(['factory_id'], ['factories.id'],
                                name=op.f('fk_factory_name_keys_factory_id_factories'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('factory_id', 'key', name=op.f('pk_factory_name_keys')),
    )
    with op.batch_alter_table('factory_name_keys', schema=None) as batch_op:
        batch_op.create_index('ix_factory_name_keys_key_factory', ['key', 'factory_id'], unique=False)
    with op.batch_alter_table('factories', schema=None) as batch_op:
        batch_op.create_index('ix_factories_name_id', ['name', 'id'], unique=False)
        batch_op.create_index('ix_factories_ward_name_id', ['ward', 'name', 'id'], unique=False)
        batch_op.create_index('ix_factories_public_ward', ['is_published', 'review_status', 'ward'], unique=False)
        batch_op.create_index('ix_factories_updated_at', ['updated_at'], unique=False)
    with op.batch_alter_table('factory_capabilities', schema=None) as batch_op:
        batch_op.create_index('ix_factory_capabilities_code_kind_factory', ['code', 'kind', 'factory_id'],
                              unique=False)

    # The names already in the directory get their keys (in batches: bounded memory at 100,000 factories).
    bind = op.get_bind()
    factories = sa.table('factories', sa.column('id'), sa.column('name'), sa.column('name_en'))
    last = 0
    while True:
        rows = bind.execute(sa.select(factories.c.id, factories.c.name, factories.c.name_en)
                            .where(factories.c.id > last).order_by(factories.c.id).limit(2000)).all()
        if not rows:
            break
        op.bulk_insert(keys, [{"factory_id": fid, "key": key} for fid, name, name_en in rows
                              for key in _name_keys(name, name_en)])
        last = rows[-1][0]


def downgrade():
    with op.batch_alter_table('factory_capabilities', schema=None) as batch_op:
        batch_op.drop_index('ix_factory_capabilities_code_kind_factory')
    with op.batch_alter_table('factories', schema=None) as batch_op:
        batch_op.drop_index('ix_factories_updated_at')
        batch_op.drop_index('ix_factories_public_ward')
        batch_op.drop_index('ix_factories_ward_name_id')
        batch_op.drop_index('ix_factories_name_id')
    with op.batch_alter_table('factory_name_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_factory_name_keys_key_factory')
    op.drop_table('factory_name_keys')
    op.drop_table('cache_generations')
