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
    """Tokenise ``text``: Latin runs folded character by character, the rest through the Japanese analyser."""
    builder = _TokenTextBuilder(text, fold_map, fold)
    pos = 0
    for m in _LATIN_RUN.finditer(text):
        a, b = m.span()
        if a > pos:
            builder.add_japanese(pos, a)
        builder.add_latin(a, b)
        pos = b
    if pos < len(text):
        builder.add_japanese(pos, len(text))
    return builder.result()


class _TokenTextBuilder:
    """Accumulates the folded tokens of one text, left to right, with their offsets in the original."""

    def __init__(self, text: str, fold_map: Any, fold: Any) -> None:
        self.text, self.fold_map, self.fold = text, fold_map, fold
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.latin: list[bool] = []
        self.bounds: set[int] = {0}
        self.toks: list[Token] = []
        self.spans: list[tuple[int, int, str]] = []
        self.length = 0

    def _append(
        self, folded: str, starts: list[int], ends: list[int], is_latin: bool, span_text: str, token: Token
    ) -> None:
        """Add one folded token: its characters' original offsets, its bounds, span and token."""
        self.bounds.add(self.length)
        self.parts.append(folded)
        self.starts.extend(starts)
        self.ends.extend(ends)
        self.latin.extend([is_latin] * len(folded))
        self.spans.append((self.length, self.length + len(folded), span_text))
        self.length += len(folded)
        self.bounds.add(self.length)
        self.toks.append(token)

    def add_latin(self, a: int, b: int) -> None:
        """A Latin run text[a:b], folded (cached for short runs) as one token."""
        seg = self.text[a:b]
        fm = _LATIN.get(seg)
        if fm is None:
            fm = self.fold_map(seg)
            if len(seg) <= 40:
                if len(_LATIN) > 100_000:
                    _LATIN.clear()
                _LATIN[seg] = fm
        if not fm.text:
            return
        self._append(
            fm.text, [a + s for s in fm.starts], [a + e for e in fm.ends], True, fm.text, Token(seg, fm.text, a, b)
        )

    def add_japanese(self, a: int, b: int) -> None:
        """A non-Latin run text[a:b], analysed in chunks the analyser accepts."""
        while b - a > _CHUNK:  # the analyser takes at most ~49 kB at once: cut at a sentence end
            cut = max(self.text.rfind(p, a, a + _CHUNK) for p in "。、\n！？")
            cut = cut + 1 if cut > a else a + _CHUNK
            self._add_japanese_chunk(a, cut)
            a = cut
        self._add_japanese_chunk(a, b)

    def _add_japanese_chunk(self, a: int, b: int) -> None:
        """The analyser's morphemes of text[a:b], each folded by its normalised form (else its surface)."""
        fold = self.fold
        tok, mode = _tokenizer()
        for m in tok.tokenize(_SURROGATE.sub("\ufffd", self.text[a:b]), mode):
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
            self._append(norm, [s0] * len(norm), [e0] * len(norm), False, sfold, Token(surface, norm, s0, e0))

    def result(self) -> TokenText:
        """The token text built so far."""
        bounds = self.bounds
        return TokenText(
            "".join(self.parts), self.starts, self.ends, frozenset(bounds), self.latin, tuple(self.toks),
            tuple(sorted(bounds)), tuple(self.spans),
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
