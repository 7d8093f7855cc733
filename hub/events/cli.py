"""``flask events-send-reminders``: remind tomorrow's visitors (idempotent: each booking once)."""

from __future__ import annotations

import click
from flask import Flask

from hub.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("events-send-reminders")
    def send_reminders() -> None:
        """Queue a reminder for every confirmed booking whose slot starts tomorrow (Tokyo time)."""
        from flask import current_app

        from hub.events.services import send_reminders as run
        from hub.mail.services import deliver_pending

        # Emails carry absolute links: outside a request they are built on PUBLIC_BASE_URL.
        base = current_app.config.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
        with current_app.test_request_context("/", base_url=base):
            count = run()
            db.session.commit()
        deliver_pending()
        click.echo(f"reminders queued={count}")
