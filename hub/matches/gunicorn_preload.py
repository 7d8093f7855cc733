"""Opt-in gunicorn settings: build the match index once in the master, then fork the workers from it, so their
copies of its arrays stay shared pages (copy-on-write) instead of one private index per worker.

    gunicorn -c python:hub.matches.gunicorn_preload --workers 4 wsgi:app

A worker applies later changes to its (then private) touched pages only; a full rebuild in a worker makes its copy
private again. Database connections the master opened are closed before the fork.
"""

from __future__ import annotations

import gc

preload_app = True


def when_ready(server) -> None:
    """In the master, before the first worker is forked: build the index, close connections, freeze the heap."""
    from hub.extensions import db
    from hub.matches import live_index

    app = server.app.wsgi()  # the app gunicorn preloaded (wsgi:app)
    with app.test_request_context():
        live_index.current()
        db.session.remove()
        db.engine.dispose()
    gc.collect()
    gc.freeze()  # objects made so far are never touched by the collector in the workers (fewer copied pages)
