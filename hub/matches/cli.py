"""``flask match-index rebuild|status``: the match index that every worker keeps current from the change log."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from hub.extensions import db


def register(app: Flask) -> None:
    group = AppGroup("match-index", help="The workers' match index (kept current from the change log).")

    @group.command("rebuild")
    def rebuild_command() -> None:
        """Ask every worker to build its index from scratch on its next query (a change row that says so)."""
        from hub.matches import live_index

        live_index.request_rebuild(db.session)
        db.session.commit()
        version, _token = live_index.database_version()
        click.echo(f"rebuild requested at version {version}")

    @group.command("status")
    def status_command() -> None:
        """The database's version, how many change rows it keeps, and a build of the index here, timed."""
        from hub.matches import live_index
        from hub.matches.models import IndexChange

        version, _token = live_index.database_version()
        kept = db.session.scalar(db.select(db.func.count()).select_from(IndexChange)) or 0
        with app.test_request_context():
            live = live_index.current()
            click.echo(f"version={version} change_rows={kept} factories={live.index.factory_count} "
                       f"build_s={live.built_in:.2f}")

    app.cli.add_command(group)
