"""Building the index: factory profiles read row by row, then the process and material credit matrices and
the TF-IDF matrix of the factories' texts."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from ._geo import WARDS, normalise_ward
from ._normalise import Normaliser, fold
from ._taxonomy import Taxonomy
from ._types import FactoryProfile, MatchingInputError, ProfileReading, Resolved

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

# --- residual text similarity -------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"[a-z][a-z0-9]+|[0-9]+[a-z][a-z0-9]*|[^\x00-\x7f\s、。，．「」『』（）()・！？：；…/]+"
)


def analyze(text: str) -> list[str]:
    """Word tokens for Latin script, character bigrams for Japanese (no spaces there)."""
    out: list[str] = []
    for t in _TOKEN_RE.findall(fold(text[:2000])):
        if t.isascii():
            if len(t) > 4 and t.endswith("s") and not t.endswith("ss"):
                t = t[:-1]
            out.append(t)
        elif len(t) == 1:
            out.append(t)
        else:
            out.extend(t[i : i + 2] for i in range(len(t) - 1))
    return out


@dataclass
class ProfileTable:
    """The factory profiles read so far, column by column, while the index is built."""

    ids: list[int] = field(default_factory=list)
    external_ids: list[str | None] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    approx: list[bool] = field(default_factory=list)
    lot_min: list[float] = field(default_factory=list)
    lot_max: list[float] = field(default_factory=list)
    track: list[float] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    process_capabilities: list[tuple[Resolved, ...]] = field(default_factory=list)
    material_capabilities: list[tuple[Resolved, ...]] = field(default_factory=list)
    offered_rows: list[int] = field(default_factory=list)  # (row, process column, confidence) of each offer
    offered_columns: list[int] = field(default_factory=list)
    offered_confidences: list[float] = field(default_factory=list)
    worked_rows: list[int] = field(default_factory=list)  # (row, material column) of each worked material
    worked_columns: list[int] = field(default_factory=list)
    unresolved_counts: dict[str, int] = field(default_factory=dict)
    readings: list[ProfileReading] = field(default_factory=list)
    blocked: list[frozenset[str]] = field(default_factory=list)
    row_of: dict[int, int] = field(default_factory=dict)



def add_profile(
    table: ProfileTable,
    prof: FactoryProfile,
    normaliser: Normaliser,
    process_column: Mapping[str, int],
    material_column: Mapping[str, int],
) -> None:
    """Read one factory profile and append its row to ``table``: what it does (and sends out or does not
    do), where it is, its lot range and track record, and the text its description is matched on."""
    if not isinstance(prof, FactoryProfile):
        raise MatchingInputError("profiles must be FactoryProfile instances")
    if prof.id in table.row_of:
        raise MatchingInputError(f"duplicate factory id {prof.id}")
    row = len(table.ids)
    table.row_of[prof.id] = row
    reading, unresolved = normaliser.read_profile_and_unresolved(
        tuple(prof.processes or ()),
        tuple(prof.materials or ()),
        prof.description if isinstance(prof.description, str) else "",
        tuple(prof.equipment or ()),
        tuple(prof.confirmed or ()),
        tuple(prof.rejected or ()),
    )
    for term in unresolved:
        table.unresolved_counts[term] = table.unresolved_counts.get(term, 0) + 1
    equipment = " / ".join(e for e in (prof.equipment or ()) if isinstance(e, str))
    desc = prof.description if isinstance(prof.description, str) else ""
    table.readings.append(reading)
    table.blocked.append(
        frozenset((*(r.code for r in reading.outsourced), *(r.code for r in reading.not_done), *prof.rejected))
    )
    processes: dict[str, Resolved] = {}
    materials: dict[str, Resolved] = {}
    for ev in reading.capabilities:
        r = Resolved(ev.kind, ev.code, ev.label_ja, ev.label_en, ev.confidence, _source(ev), (), ev.level)
        if ev.kind == "process":
            processes[ev.code] = r
        else:
            materials[ev.code] = r
    table.process_capabilities.append(tuple(processes.values()))
    table.material_capabilities.append(tuple(materials.values()))
    for code, r in processes.items():
        table.offered_rows.append(row)
        table.offered_columns.append(process_column[code])
        table.offered_confidences.append(r.confidence)
    for code in materials:
        table.worked_rows.append(row)
        table.worked_columns.append(material_column[code])
    table.ids.append(int(prof.id))
    table.external_ids.append(prof.external_id)
    table.names.append(prof.name)
    lat, lon, approx = _locate(prof.lat, prof.lon, prof.ward)
    table.lat.append(lat)
    table.lon.append(lon)
    table.approx.append(approx)
    table.lot_min.append(_num(prof.lot_min))
    table.lot_max.append(_num(prof.lot_max))
    track_record = _num(prof.track_record)
    table.track.append(min(1.0, max(0.0, track_record)) if not math.isnan(track_record) else math.nan)
    raw_terms = " ".join(t for t in (*prof.processes, *prof.materials) if isinstance(t, str))
    table.documents.append(f"{raw_terms} {equipment} {desc[:1500]}")


def process_credit(taxonomy: Taxonomy, table: ProfileTable) -> tuple[np.ndarray, np.ndarray]:
    """The process credit matrix: credit[f, w] = max over o of offered[f, o] * similarity[w, o], the
    family-level partial credit factory f earns for step w from the processes o it offers."""
    codes = taxonomy.process_codes
    n_codes = len(codes)
    similarity = np.array(
        [[taxonomy.process_similarity(w, o) for o in codes] for w in codes], dtype=np.float32
    )
    offered = sp.csc_matrix(
        (np.asarray(table.offered_confidences, dtype=np.float32), (table.offered_rows, table.offered_columns)),
        shape=(len(table.ids), n_codes),
    )
    credit = np.zeros((len(table.ids), n_codes), dtype=np.float32)
    for o in range(n_codes):
        rows = offered.indices[offered.indptr[o] : offered.indptr[o + 1]]
        if rows.size:
            confidences = offered.data[offered.indptr[o] : offered.indptr[o + 1]]
            credit[rows] = np.maximum(credit[rows], confidences[:, None] * similarity[:, o][None, :])
    return np.asfortranarray(credit), similarity


def material_credit(taxonomy: Taxonomy, table: ProfileTable) -> tuple[np.ndarray, np.ndarray]:
    """The material credit matrix: material_credit[f, w] = max over the materials o factory f works of
    similarity[w, o]; and which factories list any material at all."""
    codes = taxonomy.material_codes
    n_codes = len(codes)
    similarity = np.array(
        [[taxonomy.material_similarity(w, o) for o in codes] for w in codes], dtype=np.float32
    )
    worked = sp.csc_matrix(
        (np.ones(len(table.worked_rows), dtype=np.float32), (table.worked_rows, table.worked_columns)),
        shape=(len(table.ids), n_codes),
    )
    credit = np.zeros((len(table.ids), n_codes), dtype=np.float32)
    for o in range(n_codes):
        rows = worked.indices[worked.indptr[o] : worked.indptr[o + 1]]
        if rows.size:
            credit[rows] = np.maximum(credit[rows], similarity[:, o][None, :])
    return np.asfortranarray(credit), np.diff(worked.tocsr().indptr) > 0


def text_matrix(documents: list[str]) -> tuple[TfidfVectorizer, sp.csc_matrix | None]:
    """The TF-IDF matrix of the factories' texts (None when there is no text at all), for the residual
    text similarity."""
    from sklearn.feature_extraction.text import (
        TfidfVectorizer,
    )  # imported lazily: keeps import light

    vectorizer = TfidfVectorizer(analyzer=analyze, sublinear_tf=True, dtype=np.float32)
    matrix = None
    if documents and any(d.strip() for d in documents):
        try:
            matrix = vectorizer.fit_transform(documents)
        except ValueError:  # empty vocabulary
            matrix = None
    return vectorizer, (matrix.tocsc() if matrix is not None else None)


def _source(ev: object) -> str:
    """The text a capability is shown as coming from: the list item, or the words of the prose clause."""
    return getattr(ev, "source", "") or getattr(ev, "phrase", "") or getattr(ev, "label_ja", "")


def _num(v: object) -> float:
    if v is None or isinstance(v, bool):
        return math.nan
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return f if math.isfinite(f) else math.nan


def _locate(lat: object, lon: object, ward: object) -> tuple[float, float, bool]:
    la, lo = _num(lat), _num(lon)
    if not math.isnan(la) and not math.isnan(lo) and -90 <= la <= 90 and -180 <= lo <= 180:
        return la, lo, False
    key = normalise_ward(ward) if isinstance(ward, str) else None
    if key:
        w = WARDS[key]
        return w.lat, w.lon, True
    return math.nan, math.nan, False
