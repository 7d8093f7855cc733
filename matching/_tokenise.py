"""Word boundaries: Japanese runs are split by SudachiPy (sudachidict-core), Latin runs stay as folded text.

The result is a *token text*: the folded normalised form of every Japanese token (ネジ/ねじ/螺子 → 螺子,
焼入れ → 焼き入れ, めっき/メッキ → 鍍金) and the folded Latin text, concatenated, with the original span of
every character and the set of positions where a word may start or end. The alias scanner only accepts a
match that starts and ends on such a boundary, so フラン is never found inside フランジ nor オーク inside
オークマ. The dictionary is loaded once per process, lazily; repeated strings are tokenised once (cache).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any, NamedTuple

_LOCK = threading.Lock()
_DICTIONARY: Any = None
_MODE_A: Any = None
_LOCAL = threading.local()


def _tokenizer() -> tuple[Any, Any]:
    """The SudachiPy tokenizer (core dictionary): the dictionary is loaded once per process on first use; each
    thread gets its own tokenizer (they are not thread-safe)."""
    global _DICTIONARY, _MODE_A
    tok = getattr(_LOCAL, "tokenizer", None)
    if tok is None:
        if _DICTIONARY is None:
            with _LOCK:
                if _DICTIONARY is None:
                    from sudachipy import Dictionary, SplitMode

                    _MODE_A = SplitMode.A
                    _DICTIONARY = Dictionary(dict="core")
        tok = _LOCAL.tokenizer = _DICTIONARY.tokenizer()
    return tok, _MODE_A


class Token(NamedTuple):
    surface: str  # original text of the token
    norm: str  # folded normalised form (Japanese) or folded surface (Latin)
    start: int  # original span
    end: int


class TokenText(NamedTuple):
    text: str  # concatenated folded normalised forms
    starts: list[int]  # original start index of each character of ``text``
    ends: list[int]  # original end index (exclusive) of each character of ``text``
    bounds: frozenset[int]  # positions of ``text`` where a Japanese word starts or ends
    latin: list[bool]  # True for characters of ``text`` that come from a Latin run
    tokens: tuple[Token, ...]
    blist: tuple[int, ...]  # ``bounds`` in order
    spans: tuple[tuple[int, int, str], ...]  # per token: start and end in ``text``, folded surface


# a run of characters that fold to Latin letters, digits or ASCII punctuation (full-width ones included)
_LATIN_RUN = re.compile(r"[\x00-\x7f\uff01-\uff5e\u00a0-\u024f\u2010-\u2015\u2212]+")


def _nfkc_is_latin(ch: str) -> bool:
    return unicodedata.normalize("NFKC", ch).isascii()


_CHUNK = 4000  # characters given to the analyser at once (it refuses more than 49,149 bytes)
_SURROGATE = re.compile("[\ud800-\udfff]")
_CACHE: dict[str, TokenText] = {}
_LAST: dict[str, tuple[str, TokenText]] = {}  # the last long text (read twice in a row: capabilities, hints)
_FOLDED: dict[str, str] = {}  # folded form of each token string seen (words repeat endlessly)
_LATIN: dict[str, Any] = {}  # folded short Latin runs ("SUS304", "NC", numbers)
_CACHE_MAX = 20_000  # entries; only texts up to _CACHE_LEN characters are kept (list items, short queries)
_CACHE_LEN = 400


def tokens(text: str, fold_map: Any, fold: Any) -> TokenText:
    """The token text of ``text`` (see the module doc). ``fold_map`` / ``fold`` are the normaliser's folding
    functions (passed in to keep this module free of import cycles)."""
    hit = _CACHE.get(text)
    if hit is not None:
        return hit
    last = _LAST.get("text")
    if last is not None and last[0] == text:
        return last[1]  # the same long text read twice in a row (capabilities, then hints)
    out = _build(text, fold_map, fold)
    _LAST["text"] = (text, out)
    if len(text) <= _CACHE_LEN:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[text] = out
    return out


def _build(text: str, fold_map: Any, fold: Any) -> TokenText:
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    latin: list[bool] = []
    bounds: set[int] = {0}
    toks: list[Token] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    length = 0

    def add_latin(a: int, b: int) -> None:
        nonlocal length
        seg = text[a:b]
        fm = _LATIN.get(seg)
        if fm is None:
            fm = fold_map(seg)
            if len(seg) <= 40:
                if len(_LATIN) > 100_000:
                    _LATIN.clear()
                _LATIN[seg] = fm
        if not fm.text:
            return
        bounds.add(length)
        parts.append(fm.text)
        starts.extend(a + s for s in fm.starts)
        ends.extend(a + e for e in fm.ends)
        latin.extend([True] * len(fm.text))
        spans.append((length, length + len(fm.text), fm.text))
        length += len(fm.text)
        bounds.add(length)
        toks.append(Token(seg, fm.text, a, b))

    def add_japanese(a: int, b: int) -> None:
        while b - a > _CHUNK:  # the analyser takes at most ~49 kB at once: cut at a sentence end
            cut = max(text.rfind(p, a, a + _CHUNK) for p in "。、\n！？")
            cut = cut + 1 if cut > a else a + _CHUNK
            add_japanese_chunk(a, cut)
            a = cut
        add_japanese_chunk(a, b)

    def add_japanese_chunk(a: int, b: int) -> None:
        nonlocal length
        tok, mode = _tokenizer()
        for m in tok.tokenize(_SURROGATE.sub("\ufffd", text[a:b]), mode):
            surface = m.surface()
            if not surface.strip() or surface in ("・", "･"):
                continue  # a middle dot joins words as folding does: 焼入れ・焼戻し = 焼入れ焼戻し
            nf = m.normalized_form()
            norm = _FOLDED.get(nf)
            if norm is None:
                norm = _FOLDED[nf] = fold(nf)
            sfold = _FOLDED.get(surface)
            if sfold is None:
                sfold = _FOLDED[surface] = fold(surface)
            if len(_FOLDED) > 200_000:
                _FOLDED.clear()
            norm = norm or sfold
            s0, e0 = a + m.begin(), a + m.end()
            if not norm:
                continue
            bounds.add(length)
            parts.append(norm)
            starts.extend([s0] * len(norm))
            ends.extend([e0] * len(norm))
            latin.extend([False] * len(norm))
            spans.append((length, length + len(norm), sfold))
            length += len(norm)
            bounds.add(length)
            toks.append(Token(surface, norm, s0, e0))

    for m in _LATIN_RUN.finditer(text):
        a, b = m.span()
        if a > pos:
            add_japanese(pos, a)
        add_latin(a, b)
        pos = b
    if pos < len(text):
        add_japanese(pos, len(text))
    return TokenText(
        "".join(parts), starts, ends, frozenset(bounds), latin, tuple(toks), tuple(sorted(bounds)), tuple(spans)
    )


_KEYS: dict[str, frozenset[str]] = {}


def alias_keys(alias: str, fold_map: Any, fold: Any) -> frozenset[str]:
    """The keys under which an alias is looked up in a token text: its folded form and, when it holds
    Japanese, the concatenated normalised forms of its tokens (cached per process)."""
    hit = _KEYS.get(alias)
    if hit is None:
        keys = {fold(alias)}
        if not alias.isascii():
            keys.add(_build(alias, fold_map, fold).text)
        keys.discard("")
        hit = frozenset(keys)
        if len(_KEYS) < 200_000:
            _KEYS[alias] = hit
    return hit
