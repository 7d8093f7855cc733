"""Uploaded files: checked by content (not by name), bounded in size, stored outside ``static/``.

Names (issue 10, finding 7): a file's type, and so its extension, comes from its bytes — ``drawing.html`` that
starts with ``ISO-10303-21;`` is stored and sent as ``drawing.step``. The name the client sent is cleaned when the
file is stored (:func:`safe_filename`: no path, no control or format characters) and again when it is sent
(:func:`send_stored`, which also writes an RFC 6266/5987 ``Content-Disposition`` with ``filename*``), so rows
stored before the fix download too. Images are refused cleanly (never a 5xx) when they claim more pixels than
allowed, before Pillow decodes anything.
"""

from __future__ import annotations

import io
import re
import secrets
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from flask import Response, current_app, send_from_directory
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
    original_name: str = ""  # the client's name, cleaned, with the extension of the detected type


# Unicode categories never kept in a file name: controls (NUL, CR, LF, ESC, DEL, C1), format characters (bidi
# overrides that disguise "gpj.exe"), surrogates, private use, unassigned, line and paragraph separators.
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")
MAX_NAME_CHARS = 120


def safe_filename(name: str | None, ext: str, fallback: str = "file") -> str:
    """A display name for a stored file: NFC, no folders, no control or format characters, no quotes or
    backslashes, at most MAX_NAME_CHARS characters, ending in ``ext`` (the detected type's, never the client's)."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = "".join(" " if unicodedata.category(ch) == "Zs" else ch for ch in text
                   if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    text = re.split(r"[/\\]", text)[-1]
    text = text.replace('"', "").replace("'", "").strip(" .")
    stem = _EXTENSION.sub("", text).strip(" .") or fallback
    return stem[:MAX_NAME_CHARS].rstrip(" .") + ext.lower()


def _ascii_fallback(name: str) -> str:
    """The ``filename=`` for old clients: ASCII letters, digits, dot, dash and underscore only."""
    def ascii_only(text: str) -> str:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")

    stem, dot, ext = name.rpartition(".")
    if not dot:
        return ascii_only(name) or "file"
    return f"{ascii_only(stem) or 'file'}.{ascii_only(ext) or 'bin'}"


def content_disposition(name: str, as_attachment: bool = True) -> str:
    """RFC 6266 with the RFC 5987 ``filename*`` (UTF-8) and a plain ASCII ``filename`` for old clients."""
    kind = "attachment" if as_attachment else "inline"
    return f"{kind}; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def send_stored(kind: str, stored_name: str, display_name: str | None, content_type: str, *,
                as_attachment: bool = True, max_age: int = 0) -> Response:
    """Send a stored file under a safe name with the extension of its detected type (the stored name's), whatever
    name was saved with it; ``nosniff`` so that browsers never second-guess the type."""
    stored = Path(stored_name).name
    name = safe_filename(display_name, Path(stored).suffix)
    response = send_from_directory(folder(kind), stored, mimetype=content_type, as_attachment=as_attachment,
                                   download_name=name, max_age=max_age)
    response.headers["Content-Disposition"] = content_disposition(name, as_attachment)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


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


def save_photo(file: FileStorage, kind: str = "photos") -> StoredFile:
    """Accept a real JPEG/PNG/WebP photo; re-encode it as JPEG without metadata, at most PHOTO_MAX_SIDE px; stored
    in the folder ``kind``."""
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
    (folder(kind) / name).write_bytes(out.getvalue())
    return StoredFile(name, len(out.getvalue()), "image/jpeg", img.width, img.height,
                      original_name=safe_filename(file.filename, ".jpg", "photo"))


# Drawings: by their first bytes, not their names.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"ISO-10303-21;", "model/step", ".step"),
)


def _check_image(data: bytes) -> None:
    """Refuse an image that is not one, or that claims more pixels than allowed (a decompression bomb: a few KB
    that would decode to gigabytes) — read from the header, before anything is decoded; never an exception other
    than UploadError."""
    limit = int(current_app.config.get("ATTACHMENT_MAX_PIXELS") or current_app.config["PHOTO_MAX_PIXELS"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.width * img.height > limit:
                    raise UploadError(_("The image has too many pixels (at most %(n)s million).",
                                        n=limit // 1_000_000))
                img.verify()
    except UploadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadError(_("The image has too many pixels (at most %(n)s million).", n=limit // 1_000_000)) \
            from None
    except Exception:  # Pillow raises many kinds on hostile input; none of them may become a 5xx
        raise UploadError(_("This file is not a valid image.")) from None


def save_attachment(file: FileStorage) -> StoredFile:
    """Accept a PDF, PNG, JPEG or STEP drawing, identified by content; its name gets the detected extension."""
    data = _read_bounded(file, current_app.config["ATTACHMENT_MAX_BYTES"])
    head = data[:64].lstrip(b"\xef\xbb\xbf \r\n\t")
    kind = next(((ctype, ext) for magic, ctype, ext in _SIGNATURES if head.startswith(magic)), None)
    if kind is None:
        raise UploadError(_("Please upload a drawing as PDF, PNG, JPEG or STEP."))
    content_type, ext = kind
    if content_type.startswith("image/"):
        _check_image(data)
    name = secrets.token_hex(16) + ext
    (folder("attachments") / name).write_bytes(data)
    return StoredFile(name, len(data), content_type, original_name=safe_filename(file.filename, ext, "drawing"))


def save_attachments(files: Iterable[FileStorage]) -> list[StoredFile]:
    """All or nothing: store every file, or — when one is refused or anything fails — none (the ones already
    written are removed) and raise."""
    stored: list[StoredFile] = []
    try:
        for file in files:
            stored.append(save_attachment(file))
    except BaseException:
        for saved in stored:
            remove("attachments", saved.stored_name)
        raise
    return stored


# Short video clips: ISO base media (MP4) by its ``ftyp`` box and a video brand, WebM by its EBML header and doc type.
_MP4_BRANDS = (b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"mmp4", b"dash",
               b"MSNV", b"3gp4", b"3gp5", b"3g2a")


def video_type(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an MP4 or WebM clip judged by its first bytes, else None."""
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _MP4_BRANDS:
        return "video/mp4", ".mp4"
    if data.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in data[:64]:
        return "video/webm", ".webm"
    return None


def save_video(file: FileStorage, kind: str = "videos") -> StoredFile:
    """Accept a short MP4 or WebM clip (by content, at most VIDEO_MAX_BYTES), stored as sent in the folder ``kind``;
    send it with :func:`send_stored` (``as_attachment=False``), which answers HTTP range requests so players seek."""
    data = _read_bounded(file, current_app.config["VIDEO_MAX_BYTES"])
    found = video_type(data)
    if found is None:
        raise UploadError(_("Please upload a video as MP4 or WebM."))
    content_type, ext = found
    name = secrets.token_hex(16) + ext
    (folder(kind) / name).write_bytes(data)
    return StoredFile(name, len(data), content_type, original_name=safe_filename(file.filename, ext, "video"))


def remove(kind: str, stored_name: str) -> None:
    path = folder(kind) / Path(stored_name).name
    path.unlink(missing_ok=True)
