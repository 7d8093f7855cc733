"""Booking choice for parties larger than the free seats; import previews and undo (issue 12).

- ``event_booking_requests.if_short``: what a visitor asked by email confirmation chose when the party was larger
  than the free seats ('partial': book the free seats, 'waitlist': wait for the whole party), NULL when it fitted.
- ``import_jobs``: a new status 'preview' (uploaded, previewed, nothing written until the organiser confirms) and
  ``undone_at``; ``import_changes`` records what each import did to each factory, so the last one can be undone.

The values are written out here, not imported from the models. SQLite replaces a constraint by copying the table
(batch mode); PostgreSQL changes it in place.

Revision ID: bfbb5b67382e
Revises: f0db73e20412
Create Date: 2026-12-02 10:14:36.407222

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'bfbb5b67382e'
down_revision = 'f0db73e20412'
branch_labels = None
depends_on = None

IMPORT_STATUSES_BEFORE = ("queued", "running", "done", "failed")
IMPORT_STATUSES = ("preview", *IMPORT_STATUSES_BEFORE)


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


def upgrade():
    op.create_table(
        'import_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('factory_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=10), nullable=False),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.CheckConstraint("action IN ('created', 'updated')", name=op.f('ck_import_changes_action')),
        sa.ForeignKeyConstraint(['factory_id'], ['factories.id'], name=op.f('fk_import_changes_factory_id_factories'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['job_id'], ['import_jobs.id'], name=op.f('fk_import_changes_job_id_import_jobs'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_changes')),
    )
    with op.batch_alter_table('import_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_changes_factory_id'), ['factory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_changes_job_id'), ['job_id'], unique=False)

    with op.batch_alter_table('event_booking_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('if_short', sa.String(length=10), nullable=True))
        batch_op.create_check_constraint(op.f('ck_event_booking_requests_if_short'),
                                         "if_short IN ('partial', 'waitlist')")

    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('undone_at', sa.DateTime(), nullable=True))
        batch_op.drop_constraint(op.f('ck_import_jobs_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_import_jobs_status'), f"status IN ({_quoted(IMPORT_STATUSES)})")


def downgrade():
    op.execute("DELETE FROM import_jobs WHERE status = 'preview'")
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_import_jobs_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_import_jobs_status'),
                                         f"status IN ({_quoted(IMPORT_STATUSES_BEFORE)})")
        batch_op.drop_column('undone_at')

    with op.batch_alter_table('event_booking_requests', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_event_booking_requests_if_short'), type_='check')
        batch_op.drop_column('if_short')

    with op.batch_alter_table('import_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_changes_job_id'))
        batch_op.drop_index(batch_op.f('ix_import_changes_factory_id'))

    op.drop_table('import_changes')
