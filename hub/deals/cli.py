"""``flask deals-send-digests``: one email per person bundling the deal notifications waiting for the digest."""

from __future__ import annotations

import click
from flask import Flask

from hub.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("deals-send-digests")
    def send_digests_command() -> None:
        """Bundle waiting deal notifications into one digest email per person (run it daily, e.g. from cron)."""
        from hub.deals.services import send_digests
        from hub.mail.services import deliver_pending

        queued = send_digests()
        db.session.commit()
        sent, failed = deliver_pending()
        click.echo(f"digests queued={queued} sent={sent} failed={failed}")
