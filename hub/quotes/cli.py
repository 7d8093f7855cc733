"""``flask quotes-expire``: mark quotes past their validity date expired and tell both sides (run daily)."""

from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.command("quotes-expire")
    def quotes_expire() -> None:
        """Expire open quotes whose validity date has passed (Tokyo date) and notify both parties."""
        from hub.extensions import db
        from hub.mail.services import deliver_pending
        from hub.quotes.ordering import expire_quotes

        count = expire_quotes()
        db.session.commit()
        deliver_pending()
        click.echo(f"expired={count}")
