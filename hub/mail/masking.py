"""Hide the secrets in links (password-reset tokens, booking and manage tokens) when organisers read the outbox.

The stored message stays intact (it is what the recipient gets); only what the outbox pages show is masked.
"""

from __future__ import annotations

import re

URL = re.compile(r"https?://[^\s<>\"'）」。、]+")
RUN = re.compile(r"[A-Za-z0-9_\-.~]{16,}")  # a long URL-safe run: base64, itsdangerous, token_urlsafe, hex
SECRET_PARAM = re.compile(r"(?i)([?&](?:[a-z_]*token|key|code|sig|signature|secret)=)([^&#\s]+)")
MASK = "••••••"


def looks_secret(run: str) -> bool:
    """Random-looking: mixed case with digits or punctuation (base64, signed tokens), or a long hex string.
    Words, slugs (``open-factory-2026``) and host names are lower case and stay readable."""
    has_upper = any(c.isupper() for c in run)
    has_lower = any(c.islower() for c in run)
    has_other = any(c.isdigit() or c in "-_." for c in run)
    if has_upper and has_lower and has_other:
        return True
    return len(run) >= 24 and re.fullmatch(r"[0-9a-f]+", run) is not None and any(c.isdigit() for c in run)


def _mask_run(match: re.Match) -> str:
    run = match.group(0)
    return run[:4] + MASK if looks_secret(run) else run


def _mask_param(match: re.Match) -> str:
    value = match.group(2)
    return match.group(1) + (value[:4] if len(value) >= 16 else "") + MASK


def _mask_url(match: re.Match) -> str:
    return RUN.sub(_mask_run, SECRET_PARAM.sub(_mask_param, match.group(0)))


def mask_secrets(text: str) -> str:
    """``text`` with every secret-looking part of every link replaced by its first characters and a mask."""
    return URL.sub(_mask_url, text or "")
