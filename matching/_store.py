"""Compact, updatable storage for the index: growable row arrays, per-row records of interned objects, and a
TF-IDF text index whose statistics stay exactly those of a fresh build while rows are replaced.

Why the text index is exact: the IDF of a term depends on the whole corpus (``n`` documents, ``df`` of the term),
so one edited profile changes the IDF of the terms it gained or lost and with it the length (L2 norm) of every
document that contains them. Counts (``n``, ``df``) are integers and kept exactly; IDF is computed per value with
``math.log``; each document's squared norm is a sum of per-term integers (the squared weight in fixed point), so
it can be corrected term by term, in any order, and still equal the sum a fresh build computes. A query sums its
terms in the order of the term strings, never of column numbers (which depend on history). The result: scores
bit-for-bit equal to a rebuild (``tests/matching/test_incremental.py`` checks it after random edits).
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable, Iterable

import numpy as np
import scipy.sparse as sp

SCALE = float(2**30)  # fixed point of a squared term weight: exact integer sums, relative precision ~1e-9
MERGE_ROWS = 2000  # replaced rows kept beside the base matrix before the two are merged


class Interned:
    """A table of immutable objects (evidence, resolved terms, strings): each distinct value is stored once and
    named by an integer, so a factory's record is a few integers instead of its own Python objects."""

    def __init__(self) -> None:
        self.objects: list = []
        self._ids: dict = {}

    def id(self, obj) -> int:
        i = self._ids.get(obj)
        if i is None:
            i = self._ids[obj] = len(self.objects)
            self.objects.append(obj)
        return i


class Records:
    """Per-row sequences of interned objects, several segments per row, in one flat int32 buffer. Replacing a row
    appends its new record (the old one becomes garbage until the buffer is compacted)."""

    def __init__(self, segments: int) -> None:
        self.segments = segments
        self.table = Interned()
        self._buf = array("i")
        self._start = array("q")
        self._length = array("i")
        self._garbage = 0

    def __len__(self) -> int:
        return len(self._start)

    def put(self, row: int, parts: tuple[Iterable, ...]) -> None:
        flat: list[int] = []
        for part in parts:
            ids = [self.table.id(obj) for obj in part]
            flat.append(len(ids))
            flat.extend(ids)
        if row == len(self._start):
            self._start.append(len(self._buf))
            self._length.append(len(flat))
        else:
            self._garbage += self._length[row]
            self._start[row] = len(self._buf)
            self._length[row] = len(flat)
        self._buf.extend(flat)
        if self._garbage > 65536 and self._garbage > len(self._buf) // 2:
            self._compact()

    def get(self, row: int) -> list[tuple]:
        start = self._start[row]
        flat = self._buf[start : start + self._length[row]]
        objects = self.table.objects
        out: list[tuple] = []
        i = 0
        for _ in range(self.segments):
            k = flat[i]
            out.append(tuple(objects[j] for j in flat[i + 1 : i + 1 + k]))
            i += 1 + k
        return out

    def _compact(self) -> None:
        buf = array("i")
        for row in range(len(self._start)):
            start = self._start[row]
            self._start[row] = len(buf)
            buf.extend(self._buf[start : start + self._length[row]])
        self._buf, self._garbage = buf, 0


def grow(arr: np.ndarray, rows: int, fill) -> np.ndarray:
    """``arr`` with room for at least ``rows`` rows (capacity grows by half, new rows hold ``fill``); the same
    array when it already has room. Keeps the memory order (Fortran matrices stay column-major)."""
    if arr.shape[0] >= rows:
        return arr
    capacity = max(rows, arr.shape[0] + arr.shape[0] // 2, 16)
    order = "F" if arr.ndim == 2 and arr.flags.f_contiguous and not arr.flags.c_contiguous else "C"
    out = np.full((capacity, *arr.shape[1:]), fill, dtype=arr.dtype, order=order)
    out[: arr.shape[0]] = arr
    return out


# --- TF-IDF ----------------------------------------------------------------------------------------------------

_WEIGHTS: list[float] = [0.0]


_TABLE = np.zeros(1, dtype=np.float64)
MAX_COUNT = 65535  # term counts are stored as uint16 (a document is at most a few thousand characters)


def tf_weight(count: int) -> float:
    """Sublinear term frequency 1 + ln(count), as float32, from a table (the same value wherever it is used)."""
    while len(_WEIGHTS) <= count:
        _WEIGHTS.append(float(np.float32(1.0 + math.log(len(_WEIGHTS)))))
    return _WEIGHTS[count]


def _weights(counts: np.ndarray) -> np.ndarray:
    """tf weights (float64 holding the float32 values of :func:`tf_weight`) of stored term counts."""
    global _TABLE
    top = int(counts.max()) if counts.size else 0
    if top >= _TABLE.size:
        tf_weight(top)
        _TABLE = np.asarray(_WEIGHTS, dtype=np.float64)
    return _TABLE[counts]


def _fixed(counts: np.ndarray, idf) -> np.ndarray:
    """Squared TF-IDF weights of term counts in fixed point (int64): summed exactly, in any order."""
    x = _weights(counts) * idf
    return np.rint(x * x * SCALE).astype(np.int64)


def _row_sums(values: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Per-row sums of int64 values laid out by ``indptr`` (wrap-around cumulative sums: still exact)."""
    cs = np.zeros(values.size + 1, dtype=np.int64)
    np.cumsum(values, out=cs[1:])
    return cs[indptr[1:]] - cs[indptr[:-1]]


class TextIndex:
    """The factories' texts as TF-IDF (sublinear tf, smoothed idf, L2-normalised rows, as scikit-learn's
    ``TfidfVectorizer``), cosine-scored against a query; rows can be replaced, added and removed."""

    def __init__(self, analyzer: Callable[[str], list[str]]) -> None:
        self.analyzer = analyzer
        self.vocab: dict[str, int] = {}
        self.df = np.zeros(0, dtype=np.int64)
        self.idf = np.zeros(0, dtype=np.float64)
        self.n_docs = 0
        self.norm2 = np.zeros(0, dtype=np.int64)  # per row: squared L2 norm in fixed point
        self._csr = sp.csr_matrix((0, 0), dtype=np.uint16)  # base rows' term counts (built, then read-only)
        self._csc = sp.csc_matrix((0, 0), dtype=np.uint16)
        self._in_base = np.zeros(0, dtype=bool)  # base row still current (not replaced or removed)
        self._delta: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # replaced rows: (columns, weights)
        self._delta_csc: tuple[np.ndarray, sp.csc_matrix] | None = None
        self._idf_memo: dict[int, float] = {}

    # -- reading texts ------------------------------------------------------------------------------------------

    def encode(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """A document's (columns, term counts), columns ascending; new terms join the vocabulary."""
        counts = Counter(self.analyzer(text))
        if not counts:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint16)
        cols = []
        for term in counts:
            col = self.vocab.get(term)
            if col is None:
                col = self.vocab[term] = len(self.vocab)
            cols.append(col)
        order = np.argsort(np.asarray(cols, dtype=np.int32), kind="stable")
        tf = np.minimum(np.asarray(list(counts.values()), dtype=np.int64), MAX_COUNT).astype(np.uint16)
        return np.asarray(cols, dtype=np.int32)[order], tf[order]

    def _idf_of(self, df: int) -> float:
        value = self._idf_memo.get(df)
        if value is None:
            value = self._idf_memo[df] = math.log((1 + self.n_docs) / (1 + df)) + 1.0
        return value

    def _recompute_idf(self) -> None:
        self._idf_memo = {}
        values, inverse = np.unique(self.df, return_inverse=True)
        self.idf = np.asarray([self._idf_of(int(v)) for v in values], dtype=np.float64)[inverse.reshape(-1)]

    # -- building -----------------------------------------------------------------------------------------------

    def build(self, docs: Iterable[tuple[np.ndarray, np.ndarray]], n_rows: int) -> None:
        """The base matrix from every row's (columns, weights), in row order (one per row)."""
        indptr = array("q", [0])
        cols = array("i")
        data = array("H")
        for c, w in docs:
            cols.extend(c.tolist())
            data.extend(w.tolist())
            indptr.append(len(cols))
        n_terms = len(self.vocab)
        self._csr = sp.csr_matrix(
            (np.frombuffer(data, dtype=np.uint16).copy(), np.frombuffer(cols, dtype=np.int32).copy(),
             np.frombuffer(indptr, dtype=np.int64).copy()), shape=(n_rows, n_terms))
        self._csc = self._csr.tocsc()
        self._in_base = np.ones(n_rows, dtype=bool)
        self._delta, self._delta_csc = {}, None
        self.df = np.bincount(self._csr.indices, minlength=n_terms).astype(np.int64)
        self.n_docs = n_rows
        self._recompute_idf()
        self.norm2 = _row_sums(_fixed(self._csr.data, self.idf[self._csr.indices]), self._csr.indptr)

    def _row_terms(self, row: int) -> tuple[np.ndarray, np.ndarray]:
        if row in self._delta:
            return self._delta[row]
        if row < self._in_base.size and self._in_base[row]:
            a, b = self._csr.indptr[row], self._csr.indptr[row + 1]
            return self._csr.indices[a:b], self._csr.data[a:b]
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint16)

    # -- updating -----------------------------------------------------------------------------------------------

    def apply(self, changes: dict[int, tuple[np.ndarray, np.ndarray] | None], live_before: Iterable[int]) -> None:
        """Replace the documents of some rows: ``changes[row]`` is the row's new (columns, weights), or None when
        the row leaves the index. ``live_before`` are the rows among them that were documents before (the others
        are new rows). Keeps df, idf and every norm equal to a fresh build over the resulting rows."""
        live_before = set(live_before)
        old_df = self.df
        df = np.zeros(len(self.vocab), dtype=np.int64)
        df[: old_df.size] = old_df
        for row in live_before:
            cols, _ = self._row_terms(row)
            df[cols] -= 1
        for row, doc in changes.items():
            if doc is not None:
                df[doc[0]] += 1
            if row < self._in_base.size:
                self._in_base[row] = False
            if doc is None:
                self._delta.pop(row, None)
            else:
                self._delta[row] = doc
        self._delta_csc = None
        added = sum(1 for row, doc in changes.items() if doc is not None and row not in live_before)
        removed = sum(1 for row, doc in changes.items() if doc is None and row in live_before)
        n_rows = max([self.norm2.size, *(r + 1 for r in changes)])
        if n_rows > self.norm2.size:
            self.norm2 = np.concatenate([self.norm2, np.zeros(n_rows - self.norm2.size, dtype=np.int64)])
        old_idf = np.ones(df.size, dtype=np.float64)
        old_idf[: self.idf.size] = self.idf
        self.df = df
        if added != removed:
            self.n_docs += added - removed
            self._recompute_idf()
            self._all_norms()
        else:
            changed = np.flatnonzero(df[: old_df.size] != old_df)
            new_cols = np.arange(old_df.size, df.size)
            self.idf = np.concatenate([self.idf, np.asarray([self._idf_of(int(d)) for d in df[new_cols]])])
            for col in changed:
                self.idf[col] = self._idf_of(int(df[col]))
            self._correct_norms(changed, old_idf)
        for row, doc in changes.items():
            self.norm2[row] = 0 if doc is None else int(_fixed(doc[1], self.idf[doc[0]]).sum())
        if len(self._delta) > MERGE_ROWS:
            self._merge()

    def _correct_norms(self, cols: np.ndarray, old_idf: np.ndarray) -> None:
        """Rows that contain a term whose idf changed: swap the term's old fixed-point square for the new one
        (integers, so the order of corrections does not matter). Per column, one small table by term count."""
        all_base = bool(self._in_base.all())
        delta_rows, delta = self._delta_matrix()
        for col in cols.tolist():
            for matrix, row_of, base in ((self._csc, None, True), (delta, delta_rows, False)):
                if matrix is None or col >= matrix.shape[1]:
                    continue
                a, b = matrix.indptr[col], matrix.indptr[col + 1]
                if a == b:
                    continue
                rows, counts = matrix.indices[a:b], matrix.data[a:b]
                span = np.arange(int(counts.max()) + 1)
                change = (_fixed(span, self.idf[col]) - _fixed(span, old_idf[col]))[counts]
                if base and not all_base:
                    change[~self._in_base[rows]] = 0
                self.norm2[rows if row_of is None else row_of[rows]] += change

    def _all_norms(self) -> None:
        base = _row_sums(_fixed(self._csr.data, self.idf[self._csr.indices]), self._csr.indptr)
        self.norm2[: base.size] = np.where(self._in_base, base, 0)
        for row, (cols, weights) in self._delta.items():
            self.norm2[row] = int(_fixed(weights, self.idf[cols]).sum())

    def _delta_matrix(self) -> tuple[np.ndarray, sp.csc_matrix | None]:
        """The replaced rows as one small column-major matrix (rebuilt after each change)."""
        if self._delta_csc is None:
            rows = np.asarray(sorted(self._delta), dtype=np.int64)
            if rows.size == 0:
                self._delta_csc = (rows, None)
            else:
                indptr = np.zeros(rows.size + 1, dtype=np.int64)
                indptr[1:] = np.cumsum([self._delta[r][0].size for r in rows.tolist()])
                cols = np.concatenate([self._delta[r][0] for r in rows.tolist()])
                data = np.concatenate([self._delta[r][1] for r in rows.tolist()])
                csr = sp.csr_matrix((data, cols, indptr), shape=(rows.size, len(self.vocab)))
                self._delta_csc = (rows, csr.tocsc())
        return self._delta_csc

    def _merge(self) -> None:
        """Fold the replaced rows into a new base matrix (no text is read again; counts and norms stay)."""
        n_rows, n_terms = self.norm2.size, len(self.vocab)
        base = self._csr.tocoo()
        keep = self._in_base[base.row]
        rows, cols, data = [base.row[keep]], [base.col[keep]], [base.data[keep]]
        delta_rows, delta = self._delta_matrix()
        if delta is not None:
            delta = delta.tocoo()
            rows.append(delta_rows[delta.row])
            cols.append(delta.col)
            data.append(delta.data)
        merged = sp.csr_matrix((np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
                               shape=(n_rows, n_terms), dtype=np.uint16)
        merged.sort_indices()
        self._csr, self._csc = merged, merged.tocsc()
        self._in_base = np.ones(n_rows, dtype=bool)
        self._delta, self._delta_csc = {}, None

    # -- scoring ------------------------------------------------------------------------------------------------

    def similarity(self, text: str, n_rows: int) -> np.ndarray | None:
        """Cosine similarity of ``text`` to every row (None when no term of it is in the corpus)."""
        terms = sorted(
            (term, count) for term, count in Counter(self.analyzer(text)).items()
            if term in self.vocab and self.df[self.vocab[term]] > 0
        )
        if not terms:
            return None
        cols = [self.vocab[term] for term, _ in terms]
        idf = [float(self.idf[col]) for col in cols]
        weights = [tf_weight(count) * i for (_, count), i in zip(terms, idf, strict=True)]
        qnorm = math.sqrt(sum(w * w for w in weights))
        weights = [w * i for w, i in zip(weights, idf, strict=True)]  # × the document side's idf
        sim = self._accumulate(self._csc, cols, weights, qnorm, n_rows)
        if self._delta or not self._in_base.all():
            delta_rows, delta = self._delta_matrix()
            sim[: self._in_base.size][~self._in_base] = 0.0
            if delta is not None:
                sim[delta_rows] = self._accumulate(delta, cols, weights, qnorm, delta_rows.size)
        norm = np.sqrt(self.norm2[:n_rows] / SCALE)
        np.divide(sim, norm, out=sim, where=norm > 0)
        sim[norm == 0] = 0.0
        return sim

    @staticmethod
    def _accumulate(csc: sp.csc_matrix, cols: list[int], weights: list[float], qnorm: float, n_rows: int
                    ) -> np.ndarray:
        """Σ over the query's terms (in term order) of the row's tf weight × idf × the query's normalised weight
        (``np.bincount`` adds each row's terms in the order given: the same sums for base and replaced rows)."""
        rows_parts, value_parts = [], []
        for col, w in zip(cols, weights, strict=True):
            if col >= csc.shape[1]:
                continue
            a, b = csc.indptr[col], csc.indptr[col + 1]
            if a == b:
                continue
            rows_parts.append(csc.indices[a:b])
            value_parts.append(_weights(csc.data[a:b]) * (w / qnorm))
        if not rows_parts:
            return np.zeros(n_rows, dtype=np.float64)
        return np.bincount(np.concatenate(rows_parts), weights=np.concatenate(value_parts), minlength=n_rows)
