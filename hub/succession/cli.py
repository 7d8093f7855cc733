"""``flask succession-recheck``: count again, for every published listing, the directory entries that share its
public form; hold those below k (and tell their owners and the organisers). Run it once after upgrading to the
k-anonymity check; afterwards every directory change runs it by itself."""

from __future__ import annotations

import click
from flask import Flask

from hub.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("succession-recheck")
    def recheck() -> None:
        """Re-check published succession listings against the public directory (k-anonymity)."""
        from flask import current_app

        from hub.mail.services import deliver_pending
        from hub.succession import recheck as run
        from hub.succession.models import SuccessionListing

        base = current_app.config.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
        with current_app.test_request_context("/", base_url=base):
            held = run.recheck_published()
            published = db.session.scalar(db.select(db.func.count(SuccessionListing.id))
                                          .where(SuccessionListing.is_visible_to_successors))
            db.session.commit()
        deliver_pending()
        click.echo(f"published={published} held={len(held)}")
