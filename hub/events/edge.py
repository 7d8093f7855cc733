"""Where the events domain meets HTTP: ONE table from domain exception to status, used by the JSON API
(:func:`api_error`) and the pages (:func:`show_error`). Services never know about statuses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import flash

from hub.events.errors import BookingBusy, BookingNotFound, EventsError, Invalid, NotAllowed

if TYPE_CHECKING:
    from hub.api.errors import ApiError

# The most specific class in an exception's MRO wins; EventsError (a conflict with the current state) is the default.
STATUS_BY_ERROR: dict[type[EventsError], int] = {
    Invalid: 400,
    NotAllowed: 403,
    BookingNotFound: 404,
    BookingBusy: 429,
    EventsError: 409,
}


def status_of(exc: EventsError) -> int:
    """The HTTP status for a domain exception (see :data:`STATUS_BY_ERROR`)."""
    return next(STATUS_BY_ERROR[cls] for cls in type(exc).__mro__ if cls in STATUS_BY_ERROR)


def api_error(exc: EventsError) -> ApiError:
    """The API's JSON error for a domain exception: its status, reason code, message and the field to blame."""
    from hub.api.errors import ApiError  # here: importing hub.api loads every domain's api module

    fields = {exc.field: str(exc.message)} if exc.field else {}
    return ApiError(status_of(exc), exc.code, str(exc.message), fields, extra=getattr(exc, "details", None))


def show_error(exc: EventsError, form=None) -> None:
    """On a page: the message under the form field it concerns, else as a flash message."""
    if form is not None and exc.field and exc.field in form:
        form[exc.field].errors = list(form[exc.field].errors) + [str(exc.message)]
    else:
        flash(str(exc.message), "danger")
