"""Columns and helpers shared by every model that records an uploaded file (issue 17: one definition, not four).

The file itself lives under ``UPLOAD_FOLDER/<upload_kind>/<stored_name>`` (see :mod:`hub.core.uploads`); the row
keeps its random stored name, size and time. :class:`StoredDocumentMixin` adds what a downloadable document
also needs: the cleaned client name and the type detected from its bytes. The columns are declared exactly as the
models declared them before, so the schema is unchanged.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import ClassVar

from flask import Response
from sqlalchemy import String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from hub.core import uploads
from hub.core.timeutil import utcnow


class StoredFileMixin:
    """A file stored by :mod:`hub.core.uploads`: its random name (unique), its size and when it was stored."""

    upload_kind: ClassVar[str] = "attachments"  # the folder under UPLOAD_FOLDER

    @declared_attr
    def stored_name(cls) -> Mapped[str]:  # noqa: N805 - declared_attr takes the class
        return mapped_column(String(80), unique=True)

    @declared_attr
    def size_bytes(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column()

    @declared_attr
    def created_at(cls) -> Mapped[datetime]:  # noqa: N805
        return mapped_column(default=utcnow)

    @property
    def extension(self) -> str:
        """The extension of the detected type (the stored name's, never the client's), e.g. ``.pdf``."""
        return Path(self.stored_name).suffix.lower()

    @property
    def path(self) -> Path:
        """Where the file is on disk."""
        return uploads.folder(self.upload_kind) / Path(self.stored_name).name

    def remove_file(self) -> None:
        """Delete the stored file (the row is the caller's to delete)."""
        uploads.remove(self.upload_kind, self.stored_name)


class StoredDocumentMixin(StoredFileMixin):
    """A downloadable stored file: also the client's cleaned name and the content type detected from its bytes."""

    @declared_attr
    def original_name(cls) -> Mapped[str]:  # noqa: N805
        return mapped_column(String(200))

    @declared_attr
    def content_type(cls) -> Mapped[str]:  # noqa: N805
        return mapped_column(String(100))

    @classmethod
    def stored_columns(cls, stored: uploads.StoredFile) -> dict[str, object]:
        """The column values for a file just saved by :mod:`hub.core.uploads`."""
        return {"original_name": stored.original_name, "stored_name": stored.stored_name,
                "content_type": stored.content_type, "size_bytes": stored.size_bytes}

    @property
    def download_name(self) -> str:
        """The name the file is sent under: the saved name, cleaned, with the extension of the detected type."""
        return uploads.safe_filename(self.original_name, self.extension)

    def send(self, *, as_attachment: bool = True, max_age: int = 0) -> Response:
        """Send the file under its safe download name (RFC 5987 ``filename*``, ``nosniff``)."""
        return uploads.send_stored(self.upload_kind, self.stored_name, self.original_name, self.content_type,
                                   as_attachment=as_attachment, max_age=max_age)
