"""Error pages in the visitor's language; JSON errors under /api/."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _message(code: int) -> str:
    messages = {
        400: _("The request could not be understood. Please check what you entered."),
        401: _("Please sign in first."),
        403: _("You do not have permission to do this."),
        404: _("This page does not exist, or it is not public."),
        405: _("This action is not allowed here."),
        409: _("This conflicts with the current state. Please reload and try again."),
        413: _("The upload is too large."),
        415: _("This kind of content is not accepted."),
        429: _("Too many requests. Please wait a moment and try again."),
        500: _("Something went wrong on our side. The team has been told; please try again later."),
    }
    return messages.get(code, _("Something went wrong."))


def _code_name(code: int) -> str:
    return {
        400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
        409: "conflict", 413: "too_large", 415: "unsupported_media_type", 429: "rate_limited",
    }.get(code, "error" if code < 500 else "server_error")


def _too_large_message() -> str:
    """What a 413 says: the limit of this request (a form may allow more than the app's default)."""
    limit = request.max_content_length or 0
    if limit <= 0:
        return _message(413)
    return _("The upload is too large (at most %(mb)s MB in all). Go back to the form: what you typed is still "
             "there; attach a smaller file and send it again.", mb=max(1, limit // (1024 * 1024)))


def _back_to_form() -> str | None:
    """The form the upload came from (the Referer, only on this site), for the 413 page's "back" button."""
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url):
        return referrer
    return None


def unknown_host() -> Response | None:
    """A plain 400 for a Host header outside TRUSTED_HOSTS: no page can be built for it (no URLs, no links)."""
    if not isinstance(request.routing_exception, SecurityError):
        return None
    message = _("This address is not served here. Use the hub's own address.")
    return Response(f"400 Bad Request: {message}\n", status=400, mimetype="text/plain")


def error_response(status: int, code: str, message: str, fields: dict | None = None, extra: dict | None = None):
    """The JSON error body of the API, ``{"error": {"code", "message", "fields"}}`` (plus ``extra`` members when an
    error offers a choice), for every handler (defined here, below the API, so that the app-wide error handlers need
    not import it; ``hub.api.errors`` re-exports it)."""
    response = jsonify({"error": {**(extra or {}), "code": code, "message": str(message), "fields": fields or {}}})
    response.status_code = status
    return response


def register(app: Flask) -> None:
    """One handler for every HTTP error: HTML page or the API's JSON error body."""
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        if (refused := unknown_host()) is not None:
            return refused
        message = _("Your form expired or was sent from another site. Please reload the page and try again.")
        if wants_json():
            return error_response(400, "csrf_failed", message)
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if (refused := unknown_host()) is not None:
            return refused
        code = exc.code or 500
        message = _too_large_message() if code == 413 else _message(code)
        if wants_json():
            response = error_response(code, _code_name(code), message)
        else:
            response = render_template("errors/error.html", code=code, message=message,
                                       back=_back_to_form() if code == 413 else None), code
        return response

    @app.errorhandler(Exception)
    def unhandled(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        from hub.extensions import db

        db.session.rollback()
        if isinstance(exc, HTTPException):  # pragma: no cover - handled above
            return http_error(exc)
        if wants_json():
            return error_response(500, "server_error", _message(500))
        return render_template("errors/error.html", code=500, message=_message(500)), 500

    app.register_error_handler(InternalServerError, unhandled)
