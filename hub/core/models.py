"""Tables of the shared layer: the cache generation every worker reads (see :mod:`hub.core.cache`)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hub.extensions import db


class CacheGeneration(db.Model):
    """One row per cache generation (``public``): its token changes in every transaction that writes what a public
    page or the public API shows, so cached entries of the previous token are never served again. Used when no
    Redis is configured (with Redis the token is a Redis key)."""

    __tablename__ = "cache_generations"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    token: Mapped[str] = mapped_column(String(40), default="0")
