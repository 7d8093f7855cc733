"""Status columns get CHECK constraints (issue 17): each holds only its enum's values.

The schema is otherwise unchanged (the stored-file mixin declares the same columns as before). The values are
written out here, not imported from the models, so that this revision keeps meaning what it meant when written.
SQLite cannot add a constraint to a table: batch mode copies each table into a new one with the constraint
(rows, indexes and foreign keys kept); PostgreSQL adds it in place. Rows holding another value make the upgrade
fail rather than be changed silently.

Revision ID: ea14f9bf250c
Revises: 45f89681dccf
Create Date: 2026-12-02 08:00:04.531601

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'ea14f9bf250c'
down_revision = '45f89681dccf'
branch_labels = None
depends_on = None

# (table, column, allowed values); the constraint is named ck_<table>_<column> (hub.extensions.NAMING).
CHECKS = (
    ("needs", "status", ("open", "in_progress", "closed")),
    ("deals", "status", ("open", "closed")),
    ("deal_steps", "status", ("requested", "accepted", "in_progress", "delivered", "declined", "withdrawn")),
    ("deal_notifications", "email_state", ("pending", "sent", "skipped")),
    ("deal_reports", "status", ("open", "resolved")),
    ("factories", "review_status", ("held", "rejected")),
    ("factory_capabilities", "evidence", ("listed", "prose", "outsourced")),
    ("factory_capability_reviews", "decision", ("confirmed", "rejected")),
    ("factory_claims", "status", ("pending", "approved", "rejected", "withdrawn")),
    ("event_participations", "status", ("pending", "approved", "rejected")),
    ("event_bookings", "status", ("confirmed", "waitlisted", "cancelled")),
    ("event_pitches", "status", ("submitted", "accepted", "rejected", "withdrawn")),
    ("succession_listings", "status", ("draft", "submitted", "returned", "published", "paused", "held", "withdrawn")),
    ("succession_disclosures", "status", ("requested", "approved", "declined", "revoked")),
    ("import_jobs", "status", ("queued", "running", "done", "failed")),
    ("email_messages", "status", ("queued", "sent", "failed")),
)


def upgrade():
    for table, column, allowed in CHECKS:
        quoted = ", ".join(f"'{value}'" for value in allowed)
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_check_constraint(op.f(f"ck_{table}_{column}"), f"{column} IN ({quoted})")


def downgrade():
    for table, column, _allowed in reversed(CHECKS):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
