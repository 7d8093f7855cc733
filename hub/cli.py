"""Command-line tools: ``flask --app wsgi seed-demo | import-factories | create-user | send-mail``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask

from hub.extensions import db


def register(app: Flask) -> None:
    """Attach the hub's commands to ``flask`` (and each domain's, from ``hub/<domain>/cli.py``)."""
    from hub import domain_modules

    for module in domain_modules("cli"):
        module.register(app)

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load the demo data (factories, needs, one account per role). Running it twice changes nothing."""
        from seeds import load_demo

        result = load_demo()
        click.echo(result.summary())

    @app.cli.command("import-factories")
    @click.argument("path", type=click.Path(path_type=Path))
    def import_factories(path: Path) -> None:
        """Import factories from a .json list or a .csv file (create or update by external_id)."""
        from hub.factories.importer import ImportFileError, import_file

        def progress(report, seen: int) -> None:
            if seen % 5000 == 0:
                click.echo(f"... {seen} rows read ({report.summary})", err=True)

        try:
            report = import_file(path, progress=progress)
        except ImportFileError as exc:
            db.session.rollback()
            click.echo(f"error: cannot read {path}: {exc}", err=True)
            sys.exit(1)
        for error in report.errors:
            ident = f" external_id={error.external_id}" if error.external_id else ""
            click.echo(f"row {error.row}{ident}: {error.reason}")
        click.echo(report.summary)

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--role", required=True, type=click.Choice(["factory", "seeker", "successor", "organiser"]))
    @click.option("--name", default=None, help="Display name (defaults to the email).")
    @click.option("--locale", default="ja", type=click.Choice(["ja", "en"]))
    def create_user(email: str, role: str, name: str | None, locale: str) -> None:
        """Create an account; the password is read from standard input."""
        from hub.auth.services import AccountError
        from hub.auth.services import create_user as make_user

        password = sys.stdin.readline().rstrip("\r\n")
        if len(password) < 10:
            click.echo("error: the password must have at least 10 characters", err=True)
            sys.exit(1)
        try:
            user = make_user(email, password, name=name or email, role=role, locale=locale, email_verified=True)
        except AccountError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        db.session.commit()
        click.echo(f"created {user.email} ({user.role})")

    @app.cli.command("send-mail")
    def send_mail() -> None:
        """Send queued email over SMTP (retries earlier failures)."""
        from hub.mail.services import deliver_pending, smtp_configured

        if not smtp_configured():
            click.echo("SMTP is not configured (HUB_MAIL_SERVER); messages stay in the outbox.")
            return
        sent, failed = deliver_pending(limit=10_000)
        click.echo(f"sent={sent} failed={failed}")
