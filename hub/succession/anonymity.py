"""Finding what could name or locate a factory in the text its owner writes for an anonymous listing.

Hard findings (the factory's name, its street address or town, a phone number, an e-mail address, a web address,
coordinates, an owner's full name) block submission and publication. Soft findings (a line copied word for word
from the public directory profile, which a reader could search for) are warnings for the owner and the reviewer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from matching import WARDS

# Company-form words that are not distinctive on their own: "京浜研削工業所" is found by "京浜研削" too.
_SUFFIXES = ("株式会社", "有限会社", "合同会社", "合資会社", "(株)", "(有)", "製作所", "工業所", "工業", "工作所",
             "工場", "製作", "工務店", "商会", "works", "co.", "ltd.", "ltd", "inc.", "inc", "k.k.", "corporation",
             "company", "factory", "manufacturing", "mfg.", "mfg", ",")
_PHONE = re.compile(r"(?<!\d)(?:\+?81[- ]?)?0\d{1,4}[- ()]?\d{1,4}[- )]?\d{3,4}(?!\d)")
_LONG_DIGITS = re.compile(r"(?<!\d)0\d{9,10}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:co\.jp|jp|com|net|org)\b")
_COORD = re.compile(r"(?<!\d)(?:3[45]|13[89]|14[01])\.\d{3,}")
_BLOCK_NUMBER = re.compile(r"(?<!\d)\d{1,2}-\d{1,3}-\d{1,4}(?!\d)|\d+丁目|\d+番地")

KIND_LABELS = {
    "name": _l("the factory's name"),
    "address": _l("the street address or town"),
    "phone": _l("a phone number"),
    "email": _l("an e-mail address"),
    "url": _l("a web address"),
    "coordinates": _l("map coordinates"),
    "person": _l("an owner's or member's full name"),
    "profile_copy": _l("text copied from the public profile (searchable)"),
}
HARD = ("name", "address", "phone", "email", "url", "coordinates", "person")


@dataclass(frozen=True)
class Finding:
    field: str
    kind: str

    @property
    def is_blocking(self) -> bool:
        return self.kind in HARD

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


def norm(text: str | None) -> str:
    """NFKC (full-width → half-width), lower case, no spaces: '京浜 研削' and 'ＫＥＩＨＩＮ' compare as written."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("ー", "-").replace("−", "-").replace("‐", "-").replace("–", "-").replace("―", "-")
    return re.sub(r"\s+", "", text)


def name_variants(*names: str | None) -> set[str]:
    """The names themselves and their distinctive cores (company-form words removed), at least 3 characters."""
    out: set[str] = set()
    for name in names:
        full = norm(name)
        if len(full) >= 2:
            out.add(full)
        core = full
        changed = True
        while changed:
            changed = False
            for suffix in _SUFFIXES:
                if core.startswith(suffix):
                    core, changed = core[len(suffix):], True
                if core.endswith(suffix):
                    core, changed = core[: -len(suffix)], True
        if len(core) >= 3:
            out.add(core)
    return out


def address_variants(address: str | None, ward: str | None) -> set[str]:
    """The address, the part after the ward ('西糀谷2-22-5') and the town name ('西糀谷')."""
    full = norm(address)
    if not full:
        return set()
    out = {full}
    rest = full
    for prefix in ("東京都",):
        rest = rest.removeprefix(prefix)
    ward_row = WARDS.get(ward or "")
    names = [w.name_ja for w in WARDS.values()] if ward_row is None else [ward_row.name_ja]
    for name in names:
        if rest.startswith(name):
            rest = rest[len(name):]
            break
    if rest and rest != full:
        out.add(rest)
    town = re.match(r"[^\d\-]+", rest)
    if town and len(town.group(0)) >= 2 and town.group(0) not in {w.name_ja for w in WARDS.values()}:
        out.add(town.group(0).removesuffix("町") if len(town.group(0)) > 3 else town.group(0))
    return out


def find(texts: dict[str, str | list[str]], *, names: list[str | None], address: str | None, ward: str | None,
         people: list[str] | None = None, website: str | None = None,
         public_text: list[str] | None = None) -> list[Finding]:
    """Findings in ``texts`` (field → text or list of lines), at most one per field and kind."""
    name_keys = name_variants(*names)
    address_keys = address_variants(address, ward)
    person_keys = {norm(p) for p in people or [] if len(norm(p)) >= 3}
    site = norm(website).removeprefix("https://").removeprefix("http://").removeprefix("www.").split("/")[0]
    public_lines = {norm(line) for line in public_text or [] if len(norm(line)) >= 12}
    findings: list[Finding] = []
    for field, value in texts.items():
        lines = value if isinstance(value, list) else [value]
        kinds: set[str] = set()
        for line in lines:
            raw = unicodedata.normalize("NFKC", line or "")
            text = norm(line)
            if not text:
                continue
            if any(key in text for key in name_keys):
                kinds.add("name")
            if any(key in text for key in address_keys) or _BLOCK_NUMBER.search(text):
                kinds.add("address")
            if any(len(re.sub(r"\D", "", m.group(0))) >= 9 for m in _PHONE.finditer(raw)) \
                    or _LONG_DIGITS.search(text.replace("-", "")):
                kinds.add("phone")
            if _EMAIL.search(raw):
                kinds.add("email")
            if _URL.search(raw.casefold()) or (site and site in text):
                kinds.add("url")
            if _COORD.search(raw):
                kinds.add("coordinates")
            if any(key in text for key in person_keys):
                kinds.add("person")
            if public_lines and (text in public_lines or any(_shared_run(text, p) for p in public_lines)):
                kinds.add("profile_copy")
        findings.extend(Finding(field, kind) for kind in sorted(kinds))
    return findings


def _shared_run(a: str, b: str, length: int = 20) -> bool:
    """True when ``a`` and ``b`` share a run of ``length`` characters (copied prose)."""
    if len(a) < length or len(b) < length:
        return False
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return any(shorter[i:i + length] in longer for i in range(0, len(shorter) - length + 1, 4))
