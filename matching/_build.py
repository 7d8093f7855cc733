"""Building the index: factory profiles read row by row, the process and material credit rows, and the tokens
the TF-IDF text index (``_store.TextIndex``) reads."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ._geo import WARDS, normalise_ward
from ._normalise import Normaliser, fold
from ._taxonomy import Taxonomy
from ._types import FactoryProfile, MatchingInputError, ProfileReading, Resolved

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
class Row:
    """One factory profile as read (transient: the index keeps its parts in arrays and interned records)."""

    id: int
    external_id: str | None
    name: str
    lat: float
    lon: float
    approx: bool
    lot_min: float
    lot_max: float
    track: float
    document: str  # the text the residual TF-IDF similarity reads
    reading: ProfileReading
    unresolved: tuple[str, ...]
    blocked: frozenset[str]  # codes it sends out, does not do, or its owner rejected
    processes: tuple[Resolved, ...]
    materials: tuple[Resolved, ...]
    offered: tuple[tuple[int, float], ...] = field(default=())  # (process column, confidence)
    worked: tuple[int, ...] = field(default=())  # material columns


def read_row(
    prof: FactoryProfile,
    normaliser: Normaliser,
    process_column: Mapping[str, int],
    material_column: Mapping[str, int],
) -> Row:
    """Read one factory profile: what it does (and sends out or does not do), where it is, its lot range and
    track record, and the text its description is matched on."""
    if not isinstance(prof, FactoryProfile):
        raise MatchingInputError("profiles must be FactoryProfile instances")
    reading, unresolved = normaliser.read_profile_and_unresolved(
        tuple(prof.processes or ()),
        tuple(prof.materials or ()),
        prof.description if isinstance(prof.description, str) else "",
        tuple(prof.equipment or ()),
        tuple(prof.confirmed or ()),
        tuple(prof.rejected or ()),
    )
    equipment = " / ".join(e for e in (prof.equipment or ()) if isinstance(e, str))
    desc = prof.description if isinstance(prof.description, str) else ""
    processes: dict[str, Resolved] = {}
    materials: dict[str, Resolved] = {}
    for ev in reading.capabilities:
        r = Resolved(ev.kind, ev.code, ev.label_ja, ev.label_en, ev.confidence, _source(ev), (), ev.level)
        if ev.kind == "process":
            processes[ev.code] = r
        else:
            materials[ev.code] = r
    lat, lon, approx = _locate(prof.lat, prof.lon, prof.ward)
    track_record = _num(prof.track_record)
    raw_terms = " ".join(t for t in (*prof.processes, *prof.materials) if isinstance(t, str))
    return Row(
        id=int(prof.id),
        external_id=prof.external_id,
        name=prof.name,
        lat=lat,
        lon=lon,
        approx=approx,
        lot_min=_num(prof.lot_min),
        lot_max=_num(prof.lot_max),
        track=min(1.0, max(0.0, track_record)) if not math.isnan(track_record) else math.nan,
        document=f"{raw_terms} {equipment} {desc[:1500]}",
        reading=reading,
        unresolved=tuple(unresolved),
        blocked=frozenset(
            (*(r.code for r in reading.outsourced), *(r.code for r in reading.not_done), *prof.rejected)
        ),
        processes=tuple(processes.values()),
        materials=tuple(materials.values()),
        offered=tuple((process_column[code], r.confidence) for code, r in processes.items()),
        worked=tuple(material_column[code] for code in materials),
    )


def similarities(taxonomy: Taxonomy) -> tuple[np.ndarray, np.ndarray]:
    """The process and material similarity matrices of the taxonomy (similarity[w, o], float32)."""
    pcodes, mcodes = taxonomy.process_codes, taxonomy.material_codes
    process = np.array([[taxonomy.process_similarity(w, o) for o in pcodes] for w in pcodes], dtype=np.float32)
    material = np.array([[taxonomy.material_similarity(w, o) for o in mcodes] for w in mcodes], dtype=np.float32)
    return process, material


def credit_rows(rows: list[Row], process_similarity: np.ndarray, material_similarity: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The credit rows of some factories. Process credit[f, w] = max over the processes o that f offers of
    confidence × similarity[w, o] (family-level partial credit for step w); material credit[f, w] = max over the
    materials o that f works of similarity[w, o]; and whether f lists any material. Each row depends on its own
    profile only (a maximum of float32 products), so a row computed alone equals the same row in a full build."""
    k = len(rows)
    offered = sp.csc_matrix(
        (
            np.asarray([c for r in rows for _, c in r.offered], dtype=np.float32),
            ([i for i, r in enumerate(rows) for _ in r.offered], [o for r in rows for o, _ in r.offered]),
        ),
        shape=(k, process_similarity.shape[0]),
    )
    credit = np.zeros((k, process_similarity.shape[0]), dtype=np.float32)
    for o in np.flatnonzero(np.diff(offered.indptr)).tolist():
        idx = offered.indices[offered.indptr[o] : offered.indptr[o + 1]]
        confidences = offered.data[offered.indptr[o] : offered.indptr[o + 1]]
        credit[idx] = np.maximum(credit[idx], confidences[:, None] * process_similarity[:, o][None, :])
    worked = sp.csc_matrix(
        (
            np.ones(sum(len(r.worked) for r in rows), dtype=np.float32),
            ([i for i, r in enumerate(rows) for _ in r.worked], [o for r in rows for o in r.worked]),
        ),
        shape=(k, material_similarity.shape[0]),
    )
    material = np.zeros((k, material_similarity.shape[0]), dtype=np.float32)
    for o in np.flatnonzero(np.diff(worked.indptr)).tolist():
        idx = worked.indices[worked.indptr[o] : worked.indptr[o + 1]]
        material[idx] = np.maximum(material[idx], material_similarity[:, o][None, :])
    has_materials = np.asarray([bool(r.worked) for r in rows], dtype=bool)
    return credit, material, has_materials


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
