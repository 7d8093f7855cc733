"""Caches shared by every worker: Flask-Caching (Redis when ``REDIS_URL`` is set, process memory otherwise) with
one *generation* token in every key, so that an edit through any worker is seen by every worker's next request.

The generation moves in every transaction that writes something a public page or the public API shows (any table
but the :data:`QUIET_TABLES`: sign-ins, tokens, mail, bookings, messages …). Without Redis it is a row of
``cache_generations``, moved inside the writing transaction (so it commits, or rolls back, with the data); with
Redis it is a Redis key, set right after the commit. A request reads the generation once, before it reads
anything else, so an entry can never hold data older than its generation. Entries also expire
(``CACHE_DEFAULT_TIMEOUT``), a bound on any staleness a crash between commit and Redis could leave.

What is cached: whole public pages for anonymous visitors (:func:`public_page`), public JSON for everyone
(:func:`public_json`), both with an ETag and Last-Modified (304 on ``If-None-Match`` / ``If-Modified-Since``), and
small derived values (:func:`remember`, e.g. the front page's counts). Signed-in pages are marked ``private``.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps

from flask import Response, current_app, g, make_response, request, session
from flask_babel import get_locale
from sqlalchemy import event, inspect, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.http import http_date

from hub.extensions import cache, db

# Tables whose writes no public page or public JSON shows: they never move the generation.
QUIET_TABLES = frozenset({
    "users", "api_tokens", "email_messages", "import_jobs", "index_states", "cache_generations",
    "event_bookings", "event_booking_requests", "event_reviewer_invitations", "event_pitch_reviews",
    "deal_messages", "deal_attachments", "deal_notifications", "deal_notification_preferences", "deal_reports",
    "deal_blocks", "need_attachments", "need_grants", "factory_claims", "kpi_targets",
    "succession_audit_events", "succession_disclosures", "succession_documents", "succession_nda_versions",
    "succession_outreach", "succession_outreach_steps", "successor_profiles",
})
GENERATION_NAME = "public"
_SESSION_FLAG = "hub.cache_generation"
_READ_GENERATION = f"SELECT token FROM cache_generations WHERE name = '{GENERATION_NAME}'"
# Session keys that do not change what an anonymous page shows (the language is part of the key).
_ANONYMOUS_SESSION_KEYS = frozenset({"lang", "csrf_token", "_permanent"})


def _redis():
    """The Redis client behind the cache, or None (no Redis configured)."""
    if current_app.config.get("CACHE_TYPE") != "RedisCache":
        return None
    return cache.cache._write_client  # Flask-Caching's own client (one connection pool per process)


def _redis_key() -> str:
    return current_app.config["CACHE_KEY_PREFIX"] + "generation:" + GENERATION_NAME


def new_token() -> str:
    """A generation token: the time it was made (milliseconds, hex) and a random part (never repeats, also after a
    rolled-back transaction)."""
    return f"{int(time.time() * 1000):x}-{uuid.uuid4().hex[:12]}"


def generation() -> str:
    """The current generation, read once per request (before the request reads any data)."""
    memo = g.get("_cache_generation")
    if memo is not None:
        return memo
    client = _redis()
    if client is not None:
        raw = client.get(_redis_key())
        value = raw.decode() if raw else "0"
    else:
        value = _read_generation_row() or "0"
    g._cache_generation = value
    return value


_TABLES_SEEN: set[tuple[str, str]] = set()


def schema_has(table: str, session: Session | None = None) -> bool:
    """Whether the database has ``table`` yet (remembered once it has): code newer than the schema — a command run
    before ``flask db upgrade`` — skips what the missing table would hold instead of failing."""
    url = str(db.engine.url)
    if (url, table) in _TABLES_SEEN:
        return True
    if inspect((session or db.session).connection()).has_table(table):
        _TABLES_SEEN.add((url, table))
        return True
    return False


def _read_generation_row() -> str | None:
    """One constant statement: on a pooled DB-API connection of its own when the session runs on the engine (the
    cheapest way, for every request), else on the session's connection (a test's outer transaction)."""
    if not schema_has("cache_generations"):
        return None
    bind = db.session.get_bind()
    if not isinstance(bind, Engine):
        return db.session.connection().exec_driver_sql(_READ_GENERATION).scalar()
    raw = bind.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(_READ_GENERATION)
        row = cursor.fetchone()
        cursor.close()
    finally:
        raw.close()  # back to the pool (rolled back there)
    return row[0] if row else None


def changed_at(token: str) -> datetime | None:
    """When the generation ``token`` was made (for Last-Modified), or None."""
    stamp, _sep, _rest = token.partition("-")
    try:
        return datetime.fromtimestamp(int(stamp, 16) / 1000, tz=UTC).replace(microsecond=0)
    except ValueError:
        return None


# --- moving the generation ----------------------------------------------------------------------------------------

def _loud(objects) -> bool:
    return any(getattr(obj, "__tablename__", None) not in QUIET_TABLES for obj in objects)


def mark_changed(session: Session) -> None:
    """Move the generation for this transaction (once). Called by the flush hook; writers that bypass the ORM and
    the hooks may call it themselves."""
    if session.info.get(_SESSION_FLAG):
        return
    session.info[_SESSION_FLAG] = True
    if _redis() is not None:
        return  # set after the commit (see _after_commit)
    if not schema_has("cache_generations", session):
        return
    from hub.core.models import CacheGeneration

    table = CacheGeneration.__table__
    done = session.connection().execute(update(table).where(table.c.name == GENERATION_NAME)
                                        .values(token=new_token()))
    if not done.rowcount:
        session.connection().execute(table.insert().values(name=GENERATION_NAME, token=new_token()))


def _has_app() -> bool:
    from flask import has_app_context

    return has_app_context()


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    if not _has_app():
        return
    dirty = (obj for obj in session.dirty if session.is_modified(obj, include_collections=False))
    if _loud(session.new) or _loud(session.deleted) or _loud(dirty):
        mark_changed(session)


@event.listens_for(Session, "do_orm_execute")
def _bulk(state) -> None:
    """Bulk INSERT/UPDATE/DELETE through the ORM (the importer's fast path)."""
    if not (state.is_insert or state.is_update or state.is_delete) or not _has_app():
        return
    if any(mapper.local_table.name not in QUIET_TABLES for mapper in state.all_mappers):
        mark_changed(state.session)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if not session.info.pop(_SESSION_FLAG, False) or not _has_app():
        return
    g.pop("_cache_generation", None)  # this request may now read newer data: read the generation again
    client = _redis()
    if client is not None:
        client.set(_redis_key(), new_token())


@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, *_args) -> None:
    session.info.pop(_SESSION_FLAG, None)


# --- cached values and responses ----------------------------------------------------------------------------------

def remember(name: str, build: Callable[[], object], *parts, timeout: int | None = None):
    """``build()`` cached under ``name`` and ``parts`` for the current generation (e.g. the front page counts)."""
    key = "v:" + _digest(name, generation(), *parts)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=timeout)
    return value


def _digest(*parts) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def is_anonymous_request() -> bool:
    """A visitor whose page depends on nothing but the URL and the language: no account (no session keys but the
    language, no remember-me cookie, no bearer token) and no flashed message waiting."""
    if request.method not in ("GET", "HEAD") or "Authorization" in request.headers:
        return False
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        return False
    return set(session.keys()) <= _ANONYMOUS_SESSION_KEYS


def _conditional(response: Response, etag: str, token: str, public: bool) -> Response:
    """Validators and caching headers (written as strings: this runs on every cache hit)."""
    headers = response.headers
    headers["ETag"] = f'"{etag}"'
    modified = changed_at(token)
    if modified is not None:
        headers["Last-Modified"] = http_date(modified)
    headers["Cache-Control"] = "public, no-cache" if public else "private, no-cache"  # revalidate: edits show at once
    headers["Vary"] = "Cookie"
    if request.if_modified_since is not None and response.status_code == 200:
        return response.make_conditional(request)
    return response


def _cached_response(kind: str, locale: str, view, args, kwargs, public: bool) -> Response:
    token = generation()
    key = "r:" + _digest(kind, token, locale, request.full_path)
    etag = key[2:22]
    if etag in request.if_none_match:
        return _conditional(Response(status=304), etag, token, public)
    hit = cache.get(key)
    if hit is not None:
        body, content_type = hit
        response = current_app.response_class(body, content_type=content_type)
    else:
        response = make_response(view(*args, **kwargs))
        if response.status_code != 200 or response.direct_passthrough or "csrf_token" in g:
            return response  # errors, files and pages carrying a form token are never shared
        cache.set(key, (response.get_data(), response.content_type))
    return _conditional(response, etag, token, public)


def public_page(view):
    """Cache a public HTML page whole for anonymous visitors (per URL, language and generation); signed-in users
    get it rendered for them, marked private."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_app.config.get("CACHE_PAGES", True) or not is_anonymous_request():
            response = make_response(view(*args, **kwargs))
            response.cache_control.private = True
            response.cache_control.no_cache = True
            return response
        return _cached_response("page", str(get_locale() or "ja"), view, args, kwargs, public=True)
    return wrapper


def public_json(view):
    """Cache a public JSON answer (the same for everyone: per URL, language and generation), with ETag and
    Last-Modified."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.method not in ("GET", "HEAD") or not current_app.config.get("CACHE_PAGES", True):
            return view(*args, **kwargs)
        from hub.core.i18n import request_locale

        return _cached_response("json", request_locale(), view, args, kwargs, public=True)
    return wrapper


MAX_CACHED_BODY = 16_384  # bytes: a longer request body is answered afresh, never kept


def same_answer_for_same_body(view):
    """Cache the answer to a public POST whose answer depends only on its body, the URL and the language (the
    match API: the same need asked again within a generation gets the same ranking), for a few minutes."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        body = request.get_data(cache=True)
        if not current_app.config.get("CACHE_PAGES", True) or len(body) > MAX_CACHED_BODY:
            return view(*args, **kwargs)
        from hub.core.i18n import request_locale

        key = "p:" + _digest("post", generation(), request_locale(), request.full_path,
                             hashlib.sha1(body).hexdigest())
        hit = cache.get(key)
        if hit is not None:
            return current_app.response_class(hit[0], content_type=hit[1])
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200:
            cache.set(key, (response.get_data(), response.content_type), timeout=300)
        return response
    return wrapper


def private_by_default(response: Response) -> Response:
    """After every request: a page or JSON answer for a signed-in user (or a bearer token) that says nothing about
    caching is ``private, no-cache`` (a shared cache must never keep it)."""
    if "Cache-Control" in response.headers or response.mimetype not in ("text/html", "application/json"):
        return response
    if "Authorization" in request.headers or set(session.keys()) - _ANONYMOUS_SESSION_KEYS:
        response.cache_control.private = True
        response.cache_control.no_cache = True
    return response
