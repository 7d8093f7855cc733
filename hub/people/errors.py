"""The people domain's exceptions, without HTTP status: pages show them next to the field they name (or flashed),
and :data:`STATUS_BY_ERROR` maps them when an edge needs a status."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash

from hub.extensions import db

T = TypeVar("T")


class PeopleError(Exception):
    """A rule of the skill-transfer programme stops the action (a conflict with the current state)."""

    def __init__(self, code: str, message, field: str | None = None):
        super().__init__(str(message))
        self.code, self.message, self.field = code, message, field


class NotAllowed(PeopleError):
    """The actor may not do this."""


class Invalid(PeopleError):
    """The input breaks a rule."""


STATUS_BY_ERROR = {Invalid: 400, NotAllowed: 403, PeopleError: 409}


def show_error(exc: PeopleError, form=None) -> None:
    """On a page: the message under the form field it concerns, else as a flash message."""
    if form is not None and exc.field and exc.field in form:
        form[exc.field].errors = list(form[exc.field].errors) + [str(exc.message)]
    else:
        flash(str(exc.message), "danger")


def commit_saved(form, save: Callable[[], T], message) -> T | None:
    """A form page's save: ``save()`` (a service call); a :class:`PeopleError` is shown on the form and gives None,
    else the session is committed, ``message`` flashed and the saved object returned."""
    try:
        saved = save()
    except PeopleError as exc:
        show_error(exc, form)
        return None
    db.session.commit()
    flash(message, "success")
    return saved
