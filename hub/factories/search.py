"""The directory's search box, read the way people type into it, and the name keys that make it an index lookup.

A box such as ``大田区 研削`` or ``anodising SUS304`` or ``へら絞り`` is read term by term: a ward (``大田区``, ``Ota``,
``ota-ku``, also glued to the next word as in ``大田区研削``), a process or material through the matching library's
normaliser with the organisers' aliases (so ``anodizing`` and ``anodising`` are one process), and otherwise words
of a factory's name. A process term also finds a factory whose *name* holds it (へら絞り finds 六郷へら絞り製作所 even
when its capability rows were read differently). Names are searched through :class:`FactoryNameKey` rows (suffixes
of the folded name), never by scanning names, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.sql.elements import ColumnElement

from hub.core.cache import schema_has
from hub.extensions import db
from hub.factories.models import Factory, FactoryCapability, FactoryNameKey
from matching import WARDS, Normaliser, Taxonomy, normalise_ward

KEY_CHARS = 32  # longer keys are cut (a longer term is looked up by its first 32 characters, then checked)
MAX_TERMS = 8
EXACT = 0.999  # the normaliser's confidence for a name or alias of the taxonomy, as written
MIN_CONFIDENCE = 0.9  # below this a term is only a word of a name
_SPLIT = re.compile(r"[\s\u3000,、，/・]+")
_TOP = "\U0010ffff"  # above every character: [term, term + _TOP) holds exactly the keys that start with term


_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}


def fold_name(text: str) -> str:
    """A name as it is keyed and looked up: NFKC (full-width letters, half-width kana), lower case, hiragana as
    katakana. Lighter than the matcher's ``fold`` on purpose: nothing is dropped, so a phrase typed with its
    okurigana (へら絞り) is still a run of the name it was written in."""
    return unicodedata.normalize("NFKC", text or "").lower().translate(_KATAKANA).strip()


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def name_keys(*names: str | None) -> set[str]:
    """Suffixes of each folded name: from every character of Japanese text and from every word of Latin text,
    at most :data:`KEY_CHARS` characters long."""
    keys: set[str] = set()
    for name in names:
        text = fold_name(name or "")
        for i, ch in enumerate(text):
            if ch.isspace() or not ch.isalnum():
                continue
            if i and _latin(ch) and _latin(text[i - 1]):
                continue  # inside a Latin word: words are found from their start
            keys.add(text[i:i + KEY_CHARS].rstrip())
    return keys


def write_name_keys(names: dict[int, tuple[str | None, str | None]], replace: bool = True) -> None:
    """Write the name keys of factories (id → (name, English name)), replacing their old keys (bulk statements)."""
    if not schema_has(FactoryNameKey.__tablename__):
        return
    table = FactoryNameKey.__table__
    ids = list(names)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        if replace:
            db.session.execute(table.delete().where(table.c.factory_id.in_(chunk)))
        rows = [{"factory_id": fid, "key": key} for fid in chunk for key in name_keys(*names[fid])]
        if rows:
            db.session.execute(table.insert(), rows)


def refresh_name_keys(factory_ids) -> None:
    """Rewrite the name keys of these factories from the names in the database."""
    ids = [i for i in dict.fromkeys(factory_ids) if i is not None]
    if ids:
        write_name_keys({fid: (name, name_en) for fid, name, name_en in db.session.execute(
            select(Factory.id, Factory.name, Factory.name_en).where(Factory.id.in_(ids)))})


def _keys_of(term: str):
    folded = fold_name(term)[:KEY_CHARS]
    return select(FactoryNameKey.factory_id).where(FactoryNameKey.key >= folded, FactoryNameKey.key < folded + _TOP)


def name_has(term: str) -> ColumnElement[bool]:
    """SQL: the factory's name (or English name) contains ``term`` (folded) — a range of the key index."""
    return Factory.id.in_(_keys_of(term))


@lru_cache(maxsize=512)
def with_narrower(kind: str, code: str) -> tuple[str, ...]:
    """``code`` and every narrower code of the taxonomy (grinding → cylindrical and surface grinding too)."""
    taxonomy = Taxonomy.default()
    if kind != "process":
        return (code,)
    return (code, *sorted(c for c in taxonomy.processes if c != code and taxonomy.is_descendant(c, code)))


def has_capability(kind: str, code: str) -> ColumnElement[bool]:
    """SQL: the factory does ``code`` (or a narrower process) itself; outsourced steps are demand, not capability."""
    return exists().where(FactoryCapability.factory_id == Factory.id, FactoryCapability.code.in_(
        with_narrower(kind, code)), FactoryCapability.kind == kind, FactoryCapability.is_capability)


@dataclass(frozen=True)
class Term:
    """One term of the box as the hub read it."""

    text: str
    kind: str  # "ward" | "process" | "material" | "name"
    code: str | None = None


@dataclass
class BoxReading:
    terms: list[Term] = field(default_factory=list)

    def of(self, kind: str) -> list[Term]:
        return [t for t in self.terms if t.kind == kind]

    def conditions(self) -> list[ColumnElement[bool]]:
        """Every term must hold: a ward (any of the wards named), a capability or the name, words of the name."""
        out: list[ColumnElement[bool]] = []
        wards = [t.code for t in self.of("ward")]
        if wards:
            out.append(Factory.ward.in_(wards))
        for term in self.terms:
            if term.kind in ("process", "material"):
                out.append(or_(has_capability(term.kind, term.code), name_has(term.text)))
            elif term.kind == "name" and fold_name(term.text):
                out.append(name_has(term.text))
        return out


def _peel_ward(token: str) -> tuple[str | None, str]:
    """(ward key, the rest) when ``token`` starts with a ward's Japanese name (``大田区研削``) or is a ward."""
    for key, ward in WARDS.items():
        if token.startswith(ward.name_ja) and len(token) > len(ward.name_ja):
            return key, token[len(ward.name_ja):]
    whole = normalise_ward(token)
    return (whole, "") if whole else (None, token)


def _capability(normaliser: Normaliser, text: str, sure: float = MIN_CONFIDENCE) -> Term | None:
    for kind in ("process", "material"):
        found = normaliser.resolve(text, kind=kind)
        if found is not None and found.confidence >= sure:
            return Term(text, kind, found.code)
    return None


def _pair(normaliser: Normaliser, first: str, second: str) -> Term | None:
    """Two Latin words that are one name exactly (``metal spinning``), and that neither word is alone."""
    if not (first.isascii() and second.isascii()):
        return None
    term = _capability(normaliser, f"{first} {second}", sure=EXACT)
    if term is None:
        return None
    alone = _capability(normaliser, first)
    return None if alone is not None and alone.code == term.code else term


def _one(normaliser: Normaliser, token: str) -> Term:
    """A process or material when the normaliser knows the term as written; a near reading (a typo, a mention
    inside a longer phrase) only when no factory's name holds the term."""
    exact = _capability(normaliser, token, sure=EXACT)
    if exact is not None:
        return exact
    near = _capability(normaliser, token)
    if near is not None and db.session.scalar(_keys_of(token).limit(1)) is None:
        return near
    return Term(token, "name")


def read_box(q: str, normaliser: Normaliser) -> BoxReading:
    """Read the search box: wards, processes, materials (two words may name one: ``metal spinning``), and words
    of a name. At most :data:`MAX_TERMS` terms."""
    tokens = [t for t in _SPLIT.split(q.strip()) if t][:MAX_TERMS]
    reading = BoxReading()
    i = 0
    while i < len(tokens):
        ward, rest = _peel_ward(tokens[i])
        if ward:
            reading.terms.append(Term(tokens[i][:len(tokens[i]) - len(rest)], "ward", ward))
            if not rest:
                i += 1
                continue
            tokens[i] = rest
        pair = _pair(normaliser, tokens[i], tokens[i + 1]) if i + 1 < len(tokens) else None
        if pair is not None:
            reading.terms.append(pair)
            i += 2
            continue
        reading.terms.append(_one(normaliser, tokens[i]))
        i += 1
    return reading


def public_filter(reading: BoxReading | None, ward: str | None, process: str | None,
                  material: str | None) -> list[ColumnElement[bool]]:
    """The where-clauses of the directory: public, the box, and the ward/process/material filters."""
    clauses: list[ColumnElement[bool]] = [Factory.is_public]
    if reading is not None:
        clauses.extend(reading.conditions())
    if ward:
        clauses.append(Factory.ward == ward)
    if process:
        clauses.append(has_capability("process", process))
    if material:
        clauses.append(has_capability("material", material))
    return [and_(*clauses)]
