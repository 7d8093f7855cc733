"""Uploaded files: checked by content (not by name), bounded in size, stored outside ``static/``."""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.datastructures import FileStorage


class UploadError(ValueError):
    """A user-facing reason the upload was refused."""


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    size_bytes: int
    content_type: str
    width: int = 0
    height: int = 0


def _read_bounded(file: FileStorage, max_bytes: int) -> bytes:
    data = file.stream.read(max_bytes + 1)
    if not data:
        raise UploadError(_("The file is empty."))
    if len(data) > max_bytes:
        raise UploadError(_("The file is too large (at most %(mb)s MB).", mb=max_bytes // (1024 * 1024)))
    return data


def folder(kind: str) -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_photo(file: FileStorage) -> StoredFile:
    """Accept a real JPEG/PNG/WebP photo; re-encode it as JPEG without metadata, at most PHOTO_MAX_SIDE px."""
    cfg = current_app.config
    data = _read_bounded(file, cfg["PHOTO_MAX_BYTES"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ("JPEG", "PNG", "WEBP"):
                    raise UploadError(_("Please upload a JPEG, PNG or WebP image."))
                if probe.width * probe.height > cfg["PHOTO_MAX_PIXELS"]:
                    raise UploadError(_("The image has too many pixels."))
                probe.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                img = ImageOps.exif_transpose(img)
                img = img.convert("RGB")
                img.thumbnail((cfg["PHOTO_MAX_SIDE"], cfg["PHOTO_MAX_SIDE"]))
                out = io.BytesIO()
                img.save(out, "JPEG", quality=85, optimize=True)  # no exif= argument: metadata is dropped
    except UploadError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise UploadError(_("This file is not a valid image.")) from None
    name = secrets.token_hex(16) + ".jpg"
    (folder("photos") / name).write_bytes(out.getvalue())
    return StoredFile(name, len(out.getvalue()), "image/jpeg", img.width, img.height)


# Drawings: by their first bytes, not their names.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"ISO-10303-21;", "model/step", ".step"),
)


def save_attachment(file: FileStorage) -> StoredFile:
    """Accept a PDF, PNG, JPEG or STEP drawing, identified by content."""
    data = _read_bounded(file, current_app.config["ATTACHMENT_MAX_BYTES"])
    head = data[:64].lstrip(b"\xef\xbb\xbf \r\n\t")
    kind = next(((ctype, ext) for magic, ctype, ext in _SIGNATURES if head.startswith(magic)), None)
    if kind is None:
        raise UploadError(_("Please upload a drawing as PDF, PNG, JPEG or STEP."))
    content_type, ext = kind
    if content_type.startswith("image/"):
        try:
            with Image.open(io.BytesIO(data)) as img:
                img.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise UploadError(_("This file is not a valid image.")) from None
    name = secrets.token_hex(16) + ext
    (folder("attachments") / name).write_bytes(data)
    return StoredFile(name, len(data), content_type)


def remove(kind: str, stored_name: str) -> None:
    path = folder(kind) / Path(stored_name).name
    path.unlink(missing_ok=True)
