"""Text folding and resolution of raw process / material terms to taxonomy codes."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, NamedTuple

from rapidfuzz import fuzz
from rapidfuzz import process as rf_process

from ._context import (
    belongs_to,
    object_in_clause,
    opening_products,
    tool_material,
)
from ._english import WEAK_VERBS, keep_weak, phrasal_turn, verb_forms
from ._scope import (
    MADE_CODES,
    clause_of,
    clause_role,
    clauses,
    made_thing,
    makes_in_clause,
    object_only,
    seeker_does_it,
    self_clause,
)
from ._taxonomy import Taxonomy
from ._tokenise import TokenText, alias_keys, tokens
from ._types import Evidence, Extraction, MatchingInputError, ProfileReading, Resolved

MAX_TEXT = 20_000  # characters of free text looked at; longer input is truncated, never rejected

# --- folding -------------------------------------------------------------------------------------------

_SMALL = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_HIRA_TO_KATA = {c: c + 0x60 for c in range(0x3041, 0x3097)}
_KANA_TABLE: dict[int, int | str] = {**_HIRA_TO_KATA}
for _k, _v in _SMALL.items():
    _KANA_TABLE[_k] = _v
    _KANA_TABLE[_k - 0x60] = _v  # small hiragana too
_KANA_TABLE.update(
    {
        ord("ヴ"): "ブ",
        ord("ゔ"): "ブ",
        ord("ヰ"): "イ",
        ord("ヱ"): "エ",
        ord("\t"): " ",
        ord("\n"): " ",
        ord("\r"): " ",
        ord("\u3000"): " ",
        ord("\u2212"): "-",
        ord("\u2010"): "-",
        ord("\u2011"): "-",
        ord("\u2013"): "-",
        ord("\u2014"): "-",
    }
)
# characters / contexts dropped by folding (positions are tracked so sources stay exact)
_DROP_RE = re.compile(
    r"[ー\uff70]+(?![ァ-ヺ])|[\u2015~〜～]+"  # word-final long vowels (レーザー = レーザ ≠ レザー)
    r"|[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufe00-\ufe0f\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+"
    r"|(?<=[一-龥々])[きりしみちけえいぎびじ](?=[一-龥々])"  # okurigana between kanji: 焼き入れ = 焼入れ
    r"|(?<=[^\x00-\x7f])[\s・]+|[\s・]+(?=[^\x00-\x7f])"  # spaces next to Japanese: "MC 加工" = "MC加工"
    r"|(?P<grade>(?<=[a-z])[\s\-_.]+(?=[0-9]))"  # "SUS 304", "A-5052", "Ti-6Al-4V" (see _grade_gap)
    r"|(?<=\s)\s+|^\s+|\s+$"
)


# letter runs that start a material grade or a size when a space or hyphen separates them from the digits
# ("SUS 304", "SCM 440", "SNCM 439", "AISI 316"); any other word keeps its space, so "Powder-coat 30 railings",
# "anodise 50 covers" and "weld 20 frames" still read as words before a number
_GRADE_PREFIXES = frozenset(
    "sus scm snc sncm scr suj sup swch stkm sum skd skh sks skt fcd adc tab aisi sae jis ral hrc pps pom abs "
    "pbt pet sph spc sec sgc".split()
)


# a bare alloy number only names a material in a material's position: "in 6061", "from 4140", "grade 304"
_ALLOY_NUMBER = re.compile(
    r"\b(?:in|of|from|using|grade|alloy)\s+(?!(?:19|20)[0-9]{2}\b(?!-))"  # not a year ("in 2017")
    r"([0-9]{3,5}(?:-?[a-z][0-9]{0,2})?)\b(?!\s*(?:pcs|pieces|parts|units|sets|off|mm|x)\b)",
    re.I,
)
_FUNCTION_WORDS = frozenset("in of to at on by or as is no we my up an be do go if it so us am me he or vs".split())


def _grade_gap(s: str, a: int) -> bool:
    """Whether the separator at ``a`` (after letters, before digits) joins a grade: a run of at most two
    letters ("A-5052", "M 6", "Ti-6Al") or a known grade prefix."""
    j = a
    while j > 0 and "a" <= s[j - 1] <= "z":
        j -= 1
    run = s[j:a]
    if run in _FUNCTION_WORDS and (j == 0 or not s[j - 1].isalnum()) and s[a] == " ":
        return False  # "in 6061", "of 4140", "to 200": an English word before a number, not a grade
    return len(run) <= 2 or run in _GRADE_PREFIXES


class Folded(NamedTuple):
    text: str
    starts: list[int]  # original start index of each folded character
    ends: list[int]  # original end index (exclusive) of each folded character


def _slow_nfkc(text: str) -> tuple[str, list[int], list[int]]:
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        n = unicodedata.normalize("NFKC", ch).lower()
        for c in n:
            if c in "\u3099\u309a" and out:  # half-width dakuten: compose with the previous kana
                composed = unicodedata.normalize("NFC", out[-1] + c)
                if len(composed) == 1:
                    out[-1] = composed
                    ends[-1] = i + 1
                continue
            out.append(c)
            starts.append(i)
            ends.append(i + 1)
    return "".join(out), starts, ends


def fold_map(text: str) -> Folded:
    """Fold ``text`` (see :func:`fold`) and keep, for each folded character, its span in ``text``."""
    s = unicodedata.normalize("NFKC", text)
    if len(s) == len(text):
        low = s.lower()
        if len(low) == len(s):
            s = low
            starts = list(range(len(s)))
            ends = list(range(1, len(s) + 1))
        else:
            s, starts, ends = _slow_nfkc(text)
    else:
        s, starts, ends = _slow_nfkc(text)
    drops = [m.span() for m in _DROP_RE.finditer(s) if m.lastgroup != "grade" or _grade_gap(s, m.start())]
    s = s.translate(_KANA_TABLE)
    if drops:
        parts: list[str] = []
        ns: list[int] = []
        ne: list[int] = []
        pos = 0
        for a, b in drops:
            if a > pos:
                parts.append(s[pos:a])
                ns.extend(starts[pos:a])
                ne.extend(ends[pos:a])
            pos = b
        parts.append(s[pos:])
        ns.extend(starts[pos:])
        ne.extend(ends[pos:])
        s, starts, ends = "".join(parts), ns, ne
    return Folded(s, starts, ends)


def fold(text: str) -> str:
    """NFKC, width folding, lower-case, hiragana→katakana, small kana and long-vowel variants, okurigana
    between kanji, spaces next to Japanese and between a grade's letters and digits."""
    return fold_map(text).text


# --- alias trie -----------------------------------------------------------------------------------------


def _trie_pattern(keys: list[str]) -> str:
    root: dict = {}
    for k in keys:
        node = root
        for ch in k:
            node = node.setdefault(ch, {})
        node[""] = True

    def walk(node: dict) -> str:
        alts = [re.escape(ch) + walk(child) for ch, child in sorted(node.items()) if ch != ""]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return walk(root)


_ASCII_ALNUM = re.compile(r"[a-z0-9]")
_MACHINE_DATA = json.loads(
    resources.files("matching").joinpath("data").joinpath("machines.json").read_text(encoding="utf-8")
)
_MACHINES: dict[str, str] = {**_MACHINE_DATA["series"], **_MACHINE_DATA.get("numbered", {})}
# a machine series on word boundaries, optionally followed directly by its model number ("nlx2500", "dmu 50")
_MACHINE_SERIES = re.compile(
    r"(?<![a-z0-9])(?:("
    + "|".join(sorted(map(re.escape, _MACHINE_DATA["series"]), key=len, reverse=True))
    + r")(?:[\s\-]?[0-9][a-z0-9\-]*)?|("
    + "|".join(sorted(map(re.escape, _MACHINE_DATA.get("numbered", {})), key=len, reverse=True))
    + r")-?[0-9]{2,}[a-z0-9\-]*)(?![a-z])"
)
# how a shop works, not what it does: never a capability (ProfileReading.hints)
_SERVICE_WORDS = (
    "試作|試作品|量産|小ロット|短納期|特急|一貫生産|一貫対応|一貫|図面なし|図面なしOK|図面無し|単品|一品物|多品種少量|"
    "prototype|prototypes|prototyping|mass production|small lot|small lots|small-batch|small batch|"
    "quick turnaround|fast turnaround|short lead time|one-off|one-offs|no drawing|no drawings"
).split("|")
_WORD_SUFFIXES = {"s", "es", "ed", "d", "ing", "ings", "er", "ers", "ly"}
# nouns whose other forms mean something else ("molded" parts are not mould making)
_INFLECTIONS = {"mold": {"s"}, "mould": {"s"}, "spring": {"s"}}
_ABBR_OK_LOWER = {
    "oak", "tin", "cup", "bag", "box", "pin", "pcb", "rust", "leak",
    # short English words that are verbs, not abbreviations: read in lower case too
    "sew", "dye", "hob", "lap", "tap", "saw", "cnc",
}
# aliases that are too ambiguous inside prose: only honoured when a whole list item says exactly this
_PROSE_BLOCK = frozenset(
    fold(w)
    for w in (
        "金|銀|木|皮|布|杉|桐|竹|麻|綿|絹|マグ|シルク|スクリーン|スポット|ショット|ヘラ|実装|三次元|設計|"
        "転写|バレル|ベース|ギア|ギヤ|カラー|offset|boring|binding|additive|"
        "spun|bent|cast|paint|forge|mill|gear|gears|embedded|frames|"
        "heading|ground|chasing|felt|textile|textiles|spline|mount|"
        "plate|block|cover|covers|case|panel|panels|box|boxes|table|"
        "seal|seals|belt|bag|glasses|tooling|assembled|printed|shot|"
        "sinker|gold|silver|iron|polish|print shop|hardened|"
        "heat treated|heat-treated|alu|silicone|sponge|urethane|ウレタン|"
        "シリコン|スポンジ|カーボン|箱|ケース|カバー|パネル|ボックス|ブロック|プレート|"
        # product nouns and material forms: a shop that makes rivets does no riveting
        # and bare "FRP" is a material
        "リベット|ネジ|ばね鋼|punches|dies|die|切削品|機械加工品|frp|spring steel|marking|銘板|"
        # foil stamping (on boxes, leather, covers alike) says no process in prose
        "箔押し|foil stamping|hot foil stamping"
    ).split("|")
)


_PLATING_METALS = {
    "亜鉛": "zinc_plating", "ニッケル": "nickel_plating", "ﾆｯｹﾙ": "nickel_plating", "クロム": "chrome_plating",
    "硬質クロム": "chrome_plating", "金": "precious_metal_plating", "銀": "precious_metal_plating",
    "錫": "precious_metal_plating", "スズ": "precious_metal_plating", "zinc": "zinc_plating",
    "nickel": "nickel_plating", "chrome": "chrome_plating", "gold": "precious_metal_plating",
    "silver": "precious_metal_plating", "tin": "precious_metal_plating",
}
# a bare metal that is an item of a list (between separators or before と重ね / めっき)
_PLATING_METAL = re.compile(
    r"(?:(?<=[・･、。,/／:：\s(（])|^)(亜鉛|ニッケル|ﾆｯｹﾙ|硬質クロム|クロム|金|銀|錫|スズ|zinc|nickel|chrome|gold|silver|tin)"
    r"(?=[・･、,/／。.)）\s]|と重|を重|$|\s+(?:and|or)\b)",
    re.I,
)
# outcome groups that stand for a made product: a named minor option of the group (embroidery for a tote bag)
# does not make the product; a named best option (sewing) does
_PRODUCT_GROUPS = frozenset(
    "garments bags_leather paper_goods glass_goods wood_goods paper_box woodcraft hollow_shape tube_part".split()
)
_ADDRESSES_MARGIN = 0.15
_LIKE_AFTER = re.compile(r"^(?:\s?-?\s?like\b|ライク|調|風|っぽい)", re.I)
_MATERIAL_REFUSED = re.compile(
    r"\s*(?:以外|(?:材|製品|品)?(?:は|も)(?:不可|扱っておりません|扱っていません|扱いません|扱えません|NG|ng|断|お断り|"
    r"やっていません|やってない|できません|出来ません|無理|対象外|対応していません|対応しておりません)|"
    r"の(?:処理|加工|仕事)は(?:できません|出来ません|不可|お断り|やっていません|していません|しておりません|対象外))"
)
# a word that starts a process name only says the worked material for metals (アルミダイカスト, ステンレス製缶);
# プラスチック成形 / 樹脂金型 name the product or the mould's use, not a material the shop stocks
_NOT_PREFIX_FAMILIES = frozenset({"plastic", "rubber", "paper", "textile", "wood", "glass", "leather", "ceramic"})
# a process that says its material (an Edo kiriko workshop works glass, a sewing shop fabric)
_IMPLIED_MATERIAL = {
    "edo_kiriko": "glass", "glass_blowing": "glass", "glass_processing": "glass", "sewing": "fabric",
    "embroidery": "fabric", "dyeing": "fabric", "paper_converting": "paper", "bookbinding": "paper",
    "frp_molding": "composite", "leather_goods": "leather", "tanning": "leather", "woodworking": "wood",
    "rubber_molding": "rubber", "anodizing": "aluminium", "hard_anodizing": "aluminium", "black_oxide": "steel",
}


_NEED_IMPLIED = {"injection_molding": "plastic", "blow_molding": "plastic", "vacuum_forming": "plastic"}


def implied_material(code: str) -> str | None:
    """The material a process works by itself in a need (rubber moulding → rubber, sewing → fabric, "after
    moulding" → plastic), if any."""
    return _IMPLIED_MATERIAL.get(code) or _NEED_IMPLIED.get(code)


_GENERIC_CUT = frozenset({"切断", "切断加工", "cutting", "cut"})
_CUTTERS = frozenset({"laser_cutting", "water_jet", "wire_edm", "punching"})


def _without_generic_cut(found: list[Resolved]) -> list[Resolved]:
    """A bare 切断 / "cutting" in a profile that names its cutting method (ファイバーレーザー加工機で…切断) is that
    method's work, not sawing."""
    if not any(r.code in _CUTTERS for r in found):
        return found
    return [r for r in found if not (r.code == "sawing" and (r.source or "").strip().lower() in _GENERIC_CUT)]


_DEFAULT: Normaliser | None = None


class _Entry(NamedTuple):
    kind: str  # "process" | "material" | "outcome" | "stop"
    code: str  # process/material code or outcome group index
    confidence: float
    via: str


class _ProseReading(NamedTuple):
    capabilities: tuple[Evidence, ...]
    outsourced: tuple[Resolved, ...]
    not_done: tuple[Resolved, ...]
    hints: tuple[str, ...]


_CLAUSE_END = re.compile(r"[。｡．！？!?\n]|\.(?:\s|$)")


def _clause(text: str, source: str) -> str:
    """The sentence of ``text`` holding ``source`` (at most 200 characters), for evidence phrases."""
    i = text.find(source) if source else -1
    if i < 0:
        return source[:200]
    start = 0
    for m in _CLAUSE_END.finditer(text, 0, i):
        start = m.end()
    m = _CLAUSE_END.search(text, i + len(source))
    end = m.start() if m else len(text)
    out = text[start:end].strip()
    if len(out) > 200:
        a = max(0, i - start - 80)
        out = text[start + a : start + a + 200].strip()
    return out


def _is_ascii(s: str) -> bool:
    return s.isascii()


def _latin_candidates(
    tt: TokenText, table: dict[str, list[_Entry]], rx: re.Pattern[str]
) -> list[tuple[int, int, list[_Entry]]]:
    """The Latin-script keys the trie expression finds on word boundaries (a key may end inside a Japanese
    run only at a token boundary)."""
    s = tt.text
    cands: list[tuple[int, int, list[_Entry]]] = []
    for m in rx.finditer(s):
        a, b = m.span()
        if a == b or not tt.latin[a]:
            continue
        if not tt.latin[b - 1] and b not in tt.bounds:
            continue
        entries = table.get(s[a:b])
        if entries:
            cands.append((a, b, entries))
    return cands


def _longest_hits(
    cands: list[tuple[int, int, list[_Entry]]], tt: TokenText, original: str, query: bool
) -> list[tuple[int, int, _Entry, str]]:
    """Greedy left-to-right choice among sorted candidates, longest first, none overlapping: a Latin key may
    take an inflection suffix ("plat" + "ing"); bare-verb forms take none; short abbreviations count only in
    capitals; a suffixed word blocked in factory prose stays unread. Gives (start, end, entry, source)."""
    s = tt.text
    hits: list[tuple[int, int, _Entry, str]] = []
    last = 0
    for a, b, entries in cands:
        if a < last:
            continue
        key = s[a:b]
        end = b
        weak = entries[0].via == "weak"
        if weak and b < len(s) and _ASCII_ALNUM.match(s[b]):
            continue  # every form of a bare verb is a key of its own: no suffix ("tap" + "er")
        if key[-1].isascii() and key[-1].isalnum() and b < len(s) and _ASCII_ALNUM.match(s[b]):
            tail = re.match(r"[a-z0-9]+", s[b:])
            suffix = tail.group(0) if tail else ""
            if key[-1].isdigit():
                if not re.fullmatch(r"[a-z]{1,3}", suffix):
                    continue
            elif suffix not in _WORD_SUFFIXES or suffix not in _INFLECTIONS.get(key, _WORD_SUFFIXES):
                continue
            end = b + len(suffix)
            if s[a:end] in _PROSE_BLOCK and not query:
                continue  # "harden" + "ed" = "hardened" (steel), blocked like the alias itself
        src = _span(original, tt, a, end)
        if (
            not weak
            and _is_ascii(key)
            and len(key) <= 3
            and key not in _ABBR_OK_LOWER
            and not any(c.isupper() for c in src)
        ):
            continue  # short abbreviations ("MC", "PP", "NCT") only count when written in capitals
        last = end
        for e in entries:
            hits.append((a, end, e, src))
    return hits


@dataclass
class _Mentions:
    """What one text mentions, while :meth:`Normaliser.extract` reads it."""

    covered: list[bool]  # per folded character: inside a hit or stop phrase
    processes: dict[str, Resolved] = field(default_factory=dict)
    materials: dict[str, Resolved] = field(default_factory=dict)
    outcome_hits: dict[int, str] = field(default_factory=dict)  # outcome group index -> source text
    outsourced: dict[str, Resolved] = field(default_factory=dict)
    negated: dict[str, Resolved] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)  # code -> "act" | "context" | "hint"


class Normaliser:
    """Resolves raw terms and prose to taxonomy codes.

    ``extra_aliases`` maps an alias text to ``(kind, code)`` with kind "process" or "material" (organiser
    additions; merged when the index is built).
    """

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        extra_aliases: Mapping[str, tuple[str, str]] | None = None,
    ) -> None:
        self.taxonomy = taxonomy or Taxonomy.default()
        self._exact: dict[str, list[_Entry]] = {}
        self._prose: dict[str, list[_Entry]] = {}
        self._extra_errors: list[str] = []
        self._add_taxonomy_aliases()
        self._add_extra_aliases(extra_aliases)
        self._build_lookup_tables()
        self._build_scanners()
        self._item_cache: dict[tuple[str, str], tuple[list[Resolved], list[str]]] = {}
        self._prose_cache: dict[str, _ProseReading] = {}

    def _add_alias(self, alias: str, entry: _Entry, prose: bool = True) -> None:
        """Register ``alias`` (and its spelling variants) for exact lookup of list items, and, when
        ``prose``, its token keys for reading prose."""
        for variant in _spelling_variants(alias):
            key = fold(variant)
            if not key:
                continue
            lst = self._exact.setdefault(key, [])
            if entry not in lst:
                lst.append(entry)
            if prose and _prose_ok(key):
                for tkey in alias_keys(variant, fold_map, fold):
                    if not _prose_ok(tkey):
                        continue
                    plst = self._prose.setdefault(tkey, [])
                    if entry not in plst:
                        plst.append(entry)

    def _add_taxonomy_aliases(self) -> None:
        """Register the taxonomy's labels, aliases and codes of processes and materials."""
        tax = self.taxonomy
        for p in tax.processes.values():
            e = _Entry("process", p.code, 1.0, "alias")
            for a in (p.label_ja, p.label_en, *p.aliases):
                self._add_alias(a, e)
            self._add_alias(p.code, _Entry("process", p.code, 1.0, "code"), prose=False)
            self._add_alias(p.code.replace("_", " "), _Entry("process", p.code, 1.0, "code"), prose=False)
        # the verb forms of multi-word "-ing" aliases ("nickel plating" → nickel plate/plated, "thread rolling" →
        # thread roll, "surface grinding" → surface grind), unless the form already names something else
        # ("injection molding" → "injection mold" is the mould, not the moulding)
        for p in tax.processes.values():
            e = _Entry("process", p.code, 1.0, "alias")
            for a in (p.label_en or "", *p.aliases):
                for form in _ing_verb_forms(a):
                    if not self._exact.get(fold(form)):
                        self._add_alias(form, e)
        for m in tax.materials.values():
            e = _Entry("material", m.code, 1.0, "alias")
            for a in (m.label_ja, m.label_en, *m.aliases):
                self._add_alias(a, e)
            self._add_alias(m.code, _Entry("material", m.code, 1.0, "code"), prose=False)

    def _add_extra_aliases(self, extra_aliases: Mapping[str, tuple[str, str]] | None) -> None:
        """Register the organiser's aliases; an alias of an unknown kind or code is kept in the errors."""
        tax = self.taxonomy
        for alias, kc in (extra_aliases or {}).items():
            try:
                kind, code = kc
            except (TypeError, ValueError):
                self._extra_errors.append(str(alias))
                continue
            known = tax.processes if kind == "process" else tax.materials if kind == "material" else None
            if not isinstance(alias, str) or known is None or code not in known:
                self._extra_errors.append(str(alias))
                continue
            self._add_alias(alias, _Entry(kind, code, 1.0, "extra"), prose=len(fold(alias)) >= 2)

    def _build_lookup_tables(self) -> None:
        """The key tables the scanner reads: for factory prose (aliases, stop phrases) and for needs (also
        outcome phrases); both with the bare verbs."""
        tax = self.taxonomy
        # query-only lexicon: outcomes and stop phrases
        self._outcome_prose: dict[str, list[_Entry]] = {}
        for gi, g in enumerate(tax.outcomes):
            for ph in g.phrases:
                for variant in _spelling_variants(ph):
                    for key in alias_keys(variant, fold_map, fold):
                        self._outcome_prose.setdefault(key, []).append(
                            _Entry("outcome", str(gi), 0.6, "outcome")
                        )
        stops = {
            key: [_Entry("stop", "", 0.0, "stop")] for st in tax.stop_phrases for key in alias_keys(st, fold_map, fold)
        }
        factory_keys = {**stops, **self._prose}
        query_keys: dict[str, list[_Entry]] = {**stops, **self._outcome_prose}
        for k, v in self._prose.items():
            query_keys[k] = query_keys.get(k, []) + v
        # bare verbs, read only in a verb's position (_weak_ok); a verb whose base form is already a key keeps
        # its regular forms to the scanner's suffix rule, only its irregular forms are added
        for base, (code, irregular) in WEAK_VERBS.items():
            if code not in tax.processes:
                continue
            weak = [_Entry("process", code, 1.0, "weak")]
            for table in (factory_keys, query_keys):
                has_base = any(e.kind == "process" for e in table.get(base, ()))
                for form in irregular if has_base else verb_forms(base, irregular):
                    if not any(e.kind == "process" for e in table.get(form, ())):
                        table[form] = weak + [e for e in table.get(form, ()) if e.kind != "stop"]
        self._factory_table = factory_keys
        self._query_table = query_keys

    def _build_scanners(self) -> None:
        """The regular expressions and key sets the scanner uses over the lookup tables, the hint words, and
        the keys fuzzy suggestions are drawn from."""
        tax = self.taxonomy
        factory_keys, query_keys = self._factory_table, self._query_table
        # Latin-initial keys are found by the trie scanner (word boundaries by regex); keys that start with
        # a Japanese character are looked up on token boundaries only
        lead = r"(?<![a-z0-9])"
        fkeys = sorted(k for k in factory_keys if k[0].isascii())
        qkeys = sorted(k for k in query_keys if k[0].isascii())
        self._factory_re = re.compile(lead + "(?:" + _trie_pattern(fkeys) + ")")
        self._query_re = re.compile(lead + "(?:" + _trie_pattern(qkeys) + ")")
        # hints: service words and product nouns (never capabilities; shown to owners, shape a need)
        hint_words = [*_SERVICE_WORDS, *(ph for g in tax.outcomes if g.strength == "shape" for ph in g.phrases)]
        self._hint_table: dict[str, list[_Entry]] = {}
        for w in hint_words:
            for key in alias_keys(w, fold_map, fold):
                self._hint_table.setdefault(key, [_Entry("hint", w, 0.0, "hint")])
        self._hint_re = re.compile(
            lead + "(?:" + _trie_pattern(sorted(k for k in self._hint_table if k[0].isascii())) + ")"
        )
        self._max_key = max((len(k) for k in (*query_keys, *self._hint_table)), default=1)
        # every prefix of every key: the token scanner stops extending a match as soon as none continues
        self._prefixes: frozenset[str] = frozenset(
            k[:i] for k in (*query_keys, *self._hint_table) for i in range(1, len(k) + 1)
        )
        self._fuzzy_keys: dict[str, list[str]] = {
            "process": [k for k, v in self._exact.items() if any(e.kind == "process" for e in v)],
            "material": [k for k, v in self._exact.items() if any(e.kind == "material" for e in v)],
        }
        self._grade_token = re.compile(r"(?<![a-z0-9])[a-z]{1,4}[0-9][a-z0-9]*(?![a-z0-9])")

    @classmethod
    def default(cls) -> Normaliser:
        """A shared normaliser over the default taxonomy without organiser aliases (cached)."""
        global _DEFAULT
        if _DEFAULT is None:
            _DEFAULT = cls()
        return _DEFAULT

    # -- building blocks --------------------------------------------------------------------------------

    @property
    def invalid_extra_aliases(self) -> list[str]:
        """Organiser aliases that were ignored (unknown kind or code)."""
        return list(self._extra_errors)

    def make_resolved(
        self, kind: str, code: str, conf: float, source: str, via: str, suggestions: tuple[str, ...] = ()
    ) -> Resolved:
        """A resolution of a known taxonomy ``code`` (of ``kind``), read from ``source`` by way of ``via``."""
        tax = self.taxonomy
        item = tax.processes[code] if kind == "process" else tax.materials[code]
        return Resolved(
            kind,
            code,
            item.label_ja,
            item.label_en,
            round(float(conf), 3),
            source.strip(),
            suggestions,
            via,
        )

    def _grade(self, key: str) -> str | None:
        for pat, code in self.taxonomy.grade_patterns:
            if pat.match(key):
                return code
        return None

    def _scan(
        self, tt: TokenText, original: str, query: bool, hints: bool = False
    ) -> list[tuple[int, int, _Entry, str]]:
        """Greedy longest alias occurrences in a token text: (start, end), entry, original source span.
        Japanese keys only match whole tokens (a sequence of them); Latin keys on word boundaries."""
        if hints:
            table, rx = self._hint_table, self._hint_re
        else:
            table = self._query_table if query else self._factory_table
            rx = self._query_re if query else self._factory_re
        cands = self._japanese_candidates(tt, table) + _latin_candidates(tt, table, rx)
        cands.sort(key=lambda c: (c[0], -c[1]))
        hits = _longest_hits(cands, tt, original, query)
        hits = [h for h in hits if not phrasal_turn(h, tt, original)]
        return keep_weak(hits, tt, original) if any(h[2].via == "weak" for h in hits) else hits

    def _japanese_candidates(
        self, tt: TokenText, table: dict[str, list[_Entry]]
    ) -> list[tuple[int, int, list[_Entry]]]:
        """Per Japanese token, the longest key made of it and the tokens after it (as written or by their
        surface forms); a long compound the analyser keeps whole is read as its known words when they cover
        it completely."""
        s = tt.text
        cands: list[tuple[int, int, list[_Entry]]] = []
        spans = tt.spans
        nt = len(spans)
        prefixes = self._prefixes
        for i in range(nt):
            a, _b0, _sf = spans[i]
            if tt.latin[a]:
                continue
            best = None
            skey = ""
            for j in range(i, nt):
                _a1, b, sf = spans[j]
                skey += sf
                nkey = s[a:b]
                n_ok = nkey in prefixes
                s_ok = skey in prefixes
                if not n_ok and not s_ok:
                    break  # no key continues either way: stop extending
                entries = (table.get(nkey) if n_ok else None) or (table.get(skey) if s_ok else None)
                if entries:
                    best = (a, b, entries)
            if best is not None:
                cands.append(best)
            elif _b0 - a >= 4:
                # a compound the analyser keeps whole (ゴムパッキン): read it only when known words cover it
                # completely (ゴム + パッキン); フランジ (フラン + ジ) and オークマ (オーク + マ) stay unread
                pieces = _cover(s[a:_b0], table) or _cover(_sf, table)
                if pieces and len(pieces) > 1 and len(s[a:_b0]) == sum(len(p) for p in pieces):
                    off = a
                    for piece in pieces:
                        cands.append((off, off + len(piece), table[piece]))
                        off += len(piece)
        return cands

    # -- public API -------------------------------------------------------------------------------------

    def resolve(self, term: str, kind: str = "process") -> Resolved | None:
        """Resolve one raw term: exact alias after folding, then a grade pattern (materials), then a
        mention inside the term, then rapidfuzz with a confidence. ``None`` when nothing fits (see
        :meth:`suggest`)."""
        if kind not in ("process", "material"):
            raise MatchingInputError(f"kind must be 'process' or 'material', not {kind!r}")
        if not isinstance(term, str):
            raise MatchingInputError("term must be a string")
        term = term[:200]
        key = fold(term)
        if not key:
            return None
        for e in self._exact.get(key, ()):
            if e.kind == kind:
                return self.make_resolved(kind, e.code, 1.0, term, e.via)
        if kind == "material":
            code = self._grade(key)
            if code:
                return self.make_resolved(kind, code, 0.95, term, "grade")
        ex = self.extract(term, outcomes=False)
        found = ex.processes if kind == "process" else ex.materials
        if found:
            r = found[0]
            return Resolved(r.kind, r.code, r.label_ja, r.label_en, 0.9, r.source, r.suggestions, r.via)
        choices = self._fuzzy_keys[kind]
        if len(key) < 2:
            return None
        best = rf_process.extract(key, choices, scorer=fuzz.ratio, limit=6, score_cutoff=50)
        if not best:
            return None
        codes = self._codes_for(best, kind)
        top_key, top_score, _ = best[0]
        threshold = 80 if len(key) >= 5 else 86
        if top_score >= threshold:
            code = next(e.code for e in self._exact[top_key] if e.kind == kind)
            return self.make_resolved(
                kind, code, top_score / 100 * 0.85, term, "fuzzy", tuple(c for c in codes if c != code)
            )
        return None

    def _codes_for(self, best: list, kind: str) -> tuple[str, ...]:
        codes: list[str] = []
        for k, _score, _ in best:
            for e in self._exact.get(k, ()):
                if e.kind == kind and e.code not in codes:
                    codes.append(e.code)
        return tuple(codes[:3])

    def suggest(self, term: str, kind: str | None = None) -> tuple[str, ...]:
        """Up to three taxonomy codes that look like ``term`` (for organisers mapping unknown words)."""
        key = fold(str(term))[:200]
        if len(key) < 2:
            return ()
        kinds = [kind] if kind else ["process", "material"]
        out: list[str] = []
        for k in kinds:
            best = rf_process.extract(
                key, self._fuzzy_keys[k], scorer=fuzz.WRatio, limit=6, score_cutoff=55
            )
            out.extend(c for c in self._codes_for(best, k) if c not in out)
        return tuple(out[:3])

    def _scope(
        self,
        text: str,
        tt: TokenText,
        spans: list[tuple[int, int]],
        a: int,
        b: int,
        mat_starts: set[int],
        profile: bool,
        code: str = "",
        made_spans: tuple = (),
        problem: bool = False,
    ) -> str:
        """The role of a mention that reads as a step locally, given its clause: "act", "context" (the object
        or a state), "negated", "outsourced" (profiles only) or "hint" (a made thing nobody makes here)."""
        os_, oe = tt.starts[a], tt.ends[b - 1]
        kind = object_only(text, os_, oe, need=not profile)
        clause = clause_of(spans, os_)
        if kind == "object":
            # 溶接物は扱っておらず: the shop does not take that kind of work at all
            negated = clause_role(text, clause, os_, oe, partners=False) == "negated"
            return "negated" if negated and text[oe : oe + 1] in ("物", "品") else "context"
        if not tt.latin[b - 1] and b in mat_starts and text[oe : oe + 1] not in "・･、，,/／ 　(（":
            return "state"  # 焼入れ鋼, めっき鋼板: a material state, not a step (木型・アルミ型 is a list)
        role = clause_role(text, clause, os_, oe, partners=profile)
        if role is not None:
            return role
        if kind == "shop":
            return "context"
        if not profile and tt.latin[a] and seeker_does_it(text, os_):
            return "context"
        if object_in_clause(text, clause, os_, oe, tt.latin[b - 1], profile, problem, code):
            return "context"  # the part with a problem, equipment sold, tools sharpened, a need's own history
        made = made_thing(code, text[os_:oe])
        if made and not tt.latin[b - 1] and belongs_to(text, oe):
            return "context"  # 治具のベースプレート: the part belongs to a jig; nobody makes the jig
        if profile and made and code in MADE_CODES and opening_products(text, os_, list(made_spans)):
            return "act"  # "Coil springs — compression, extension and torsion": the shop's product line
        if (
            tt.latin[b - 1]
            and text[os_:oe].endswith("ed")
            and self.taxonomy.processes[code].family in ("heat_treatment", "surface_treatment")
            and _next_is_material(text, oe, tt, mat_starts)
        ):
            return "state"  # "hardened steel dowel pins": the material, not a step
        if (
            not profile
            and not tt.latin[b - 1]
            and made_thing(code, text[os_:oe])
            and re.match(r"[にがはの]", text[oe : oe + 1])
            and not makes_in_clause(text, clause, os_, oe)
        ):
            return "context"  # 鉄の架台に赤錆: the object of the need, not a request to make one
        if tt.latin[b - 1] and made_thing(code, text[os_:oe]):
            if not profile and _EN_OWNED.search(text[max(clause[0], os_ - 40) : os_]):
                return "context"  # "our outdoor steel stairs are getting rusty": the thing the seeker has
            nxt = _EN_NEXT_WORD.match(text[oe : oe + 30].lower())
            if nxt and nxt.group(1) not in _EN_FUNCTION and nxt.group(1) not in _EN_ADVERBS:
                return "context"  # "mold plates", "gear box": the thing names the part, not a step
        if (
            profile
            and made_thing(code, text[os_:oe])
            and not makes_in_clause(text, clause, os_, oe)
            and not self_clause(text, clause)
        ):
            return "hint"
        return "act"

    def _material_refused(self, text: str, tt: TokenText, spans: list[tuple[int, int]], a: int, b: int) -> bool:
        os_, oe = tt.starts[a], tt.ends[b - 1]
        if _MATERIAL_REFUSED.match(text[oe : oe + 16]):
            return True
        # the material is the target of a refused step: ステンレスやアルミへのめっきはできません
        if not re.match(r"(?:[やと・、][^、。]{0,10})?(?:への|へ|に(?:は|対する))", text[oe : oe + 16]):
            return False
        return clause_role(text, clause_of(spans, os_), os_, oe, partners=False) == "negated"

    def extract(
        self,
        text: str,
        *,
        outcomes: bool = True,
        material_codes: tuple[str, ...] | list[str] = (),
        profile: bool | None = None,
    ) -> Extraction:
        """Find process and material mentions in prose (ja or en, no spaces needed). With ``outcomes`` the
        outcome lexicon adds lower-confidence alternatives ("wears out" → hardening …), adjusted to the
        material (found in the text or given as codes in ``material_codes``). Negated mentions ("溶接不可",
        "no welding") are left out; mentions that only describe the object ("a welded frame",
        「溶接部の検査」) are listed in ``Extraction.context``."""
        if not isinstance(text, str):
            raise MatchingInputError("text must be a string")
        text = text[:MAX_TEXT]
        folded = tokens(text, fold_map, fold)
        hits = self._scan(folded, text, query=outcomes)
        profile = not outcomes if profile is None else profile
        found = self._read_mentions(text, folded, hits, profile)
        self._add_grades(text, folded, found)
        mats_hint = tuple(material_codes)
        if outcomes and not found.materials and not mats_hint and tool_material(text):
            mats_hint = ("tool_steel",)  # a die, mould, punch or cutting tool: read its outcomes for tool steel
        groups, strength, inferred = self._outcome_groups(found, mats_hint)
        processes, materials, roles, negated = found.processes, found.materials, found.roles, found.negated
        plist = list(processes.values()) + [r for c, r in inferred.items() if c not in processes]
        unresolved: list[str] = []
        if text.strip() and not plist and not materials:
            snippet = " ".join(text.split())
            unresolved.append(snippet[:60] + ("…" if len(snippet) > 60 else ""))
        context = tuple(c for c, r in roles.items() if r in ("context", "hint"))
        acted = {c for c, r in roles.items() if r == "act"}
        neg_list = [r for c, r in negated.items() if c not in acted]
        out_list = [r for c, r in found.outsourced.items() if c not in acted and c not in negated]
        return Extraction(
            plist,
            list(materials.values()),
            unresolved,
            {},
            groups,
            strength,
            context,
            neg_list,
            neg_list,
            out_list,
        )

    def _read_mentions(
        self, text: str, folded: TokenText, hits: list[tuple[int, int, _Entry, str]], profile: bool
    ) -> _Mentions:
        """Sort the scanner's hits: processes with their role (acted on, context, negated, sent out; the
        material a part is made of is dropped), materials (not an imitation, not one a profile refuses),
        outcome phrases; and mark the characters the hits (and stop phrases) cover."""
        found = _Mentions(covered=[False] * len(folded.text))
        proc_hits = [(a, b) for a, b, e, _ in hits if e.kind == "process"]
        mat_starts = {a for a, _b, e, _ in hits if e.kind == "material"}
        made_spans = tuple(
            (folded.starts[a], folded.ends[b - 1], made_thing(e.code, src))
            for a, b, e, src in hits
            if e.kind == "process"
        )
        spans = clauses(text)
        outcomes = self.taxonomy.outcomes
        problem = any(e.kind == "outcome" and outcomes[int(e.code)].strength == "problem" for _a, _b, e, _s in hits)
        for a, b, e, src in hits:
            for i in range(a, b):
                found.covered[i] = True
            if e.kind == "stop":
                continue
            if e.kind == "process":
                role = self._process_role(
                    text, folded, spans, a, b, proc_hits, mat_starts, profile, e.code, src, made_spans, problem
                )
                if role == "state":
                    continue  # the material the part is made of, not a step anyone does or wants
                if role == "negated":
                    found.negated.setdefault(e.code, self.make_resolved("process", e.code, 1.0, src, e.via))
                    continue
                if role == "outsourced":
                    found.outsourced.setdefault(e.code, self.make_resolved("process", e.code, 1.0, src, e.via))
                    continue
                if found.roles.get(e.code) != "act":
                    found.roles[e.code] = role
            if e.kind == "process" and e.code not in found.processes:
                found.processes[e.code] = self.make_resolved("process", e.code, 1.0, src, e.via)
            elif e.kind == "material" and e.code not in found.materials:
                if _LIKE_AFTER.match(text[folded.ends[b - 1] : folded.ends[b - 1] + 8]):
                    continue  # "ABS-like resin", "ゴムライク": another material that imitates it
                if profile and self._material_refused(text, folded, spans, a, b):
                    continue  # ステンレスやアルミへのめっきはできません: not a material this shop works
                found.materials[e.code] = self.make_resolved("material", e.code, 1.0, src, e.via)
            elif e.kind == "outcome":
                found.outcome_hits.setdefault(int(e.code), src)
        return found

    def _process_role(
        self,
        text: str,
        folded: TokenText,
        spans: Any,
        a: int,
        b: int,
        proc_hits: list[tuple[int, int]],
        mat_starts: set[int],
        profile: bool,
        code: str,
        src: str,
        made_spans: tuple = (),
        problem: bool = False,
    ) -> str:
        """The role of the process mention at [a, b): "act", "context", "hint", "state", "negated" or
        "outsourced", by its grammar and then by the scope of its clause."""
        role = _role(folded, text, a, b, proc_hits)
        if role == "act":
            role = self._scope(text, folded, spans, a, b, mat_starts, profile, code, made_spans, problem)
        if role == "act" and code in MADE_CODES and "作" in src and _method_before(text, folded, a, proc_hits):
            role = "context"  # ワイヤーカットでパンチを作って: the punch is what the named method makes
        return role

    def _add_grades(self, text: str, folded: TokenText, found: _Mentions) -> None:
        """Material grades not in the alias list ("SUS321", "A5083", "SCM440H"), where no hit covers them."""
        materials = found.materials
        for a0, b0, _sf in folded.spans:  # per Latin token: "S45C・SCM440" are two grades, not one run
            if not folded.latin[a0]:
                continue
            for m in self._grade_token.finditer(folded.text[a0:b0]):
                a, b = a0 + m.start(), a0 + m.end()
                if any(found.covered[a:b]):
                    continue
                code = self._grade(m.group(0))
                if code and code not in materials:
                    src = _span(text, folded, a, b)
                    materials[code] = self.make_resolved("material", code, 0.95, src, "grade")
        for m in _ALLOY_NUMBER.finditer(text):  # "brackets in 6061", "made from 4140": a bare alloy number
            num = m.group(1)
            base = re.split(r"-|(?<=[0-9])(?=[a-z])", num, flags=re.I)[0]  # 2024-T3 → 2024
            hit = self._exact.get(fold(num), ()) or self._exact.get(fold(base), ())
            for e in hit:
                if e.kind == "material" and e.code not in materials:
                    materials[e.code] = self.make_resolved("material", e.code, 0.9, m.group(1), "grade")

    def _outcome_groups(
        self, found: _Mentions, materials_hint: tuple[str, ...]
    ) -> tuple[list[tuple[Resolved, ...]], list[str], dict[str, Resolved]]:
        """The step groups: each named process on its own ("explicit"), then per outcome phrase its processes
        for the materials at hand, unless a named process already addresses it. Gives the groups, their
        strengths and the best inferred resolution per code."""
        tax = self.taxonomy
        processes, roles = found.processes, found.roles
        groups: list[tuple[Resolved, ...]] = [(r,) for r in processes.values()]
        strength = ["explicit"] * len(groups)
        inferred: dict[str, Resolved] = {}
        # by_material keys are material families or, for a finer reading, material codes (tool_steel, composite)
        named = {c for c in (*found.materials, *materials_hint) if c in tax.materials}
        fams = {tax.materials[c].family for c in named} | named
        given = bool(found.materials)
        for gi, src in found.outcome_hits.items():
            g = tax.outcomes[gi]
            options = [(c, conf) for c, conf in g.for_materials(fams) if c not in found.negated]
            if (given and (g.strength == "shape" or g.name in _PRODUCT_GROUPS)
                    and all(_IMPLIED_MATERIAL.get(c, "") not in ("", *fams) for c, _conf in options)):
                continue  # "glass table tops": a product of another material calls for none of its processes
            if not options:
                continue
            named = [code for code, _ in options if code in processes and roles.get(code) == "act"]
            top = max(conf for _c, conf in options)
            if named and g.name in _PRODUCT_GROUPS and all(
                conf < top - _ADDRESSES_MARGIN for c, conf in options if c in named
            ):
                # a product noun ("canvas tote bag") still needs making when only a decoration of it is named
                # ("embroider the logo"): keep the group without the named step
                options = [(c, conf) for c, conf in options if c not in named]
                named = []
            if named and not any(
                tax.is_descendant(code, n) and code != n for code, _ in options for n in named
            ):
                continue  # the need already names one of these processes (unless the group makes it finer:
                # "bend … tube into handrails" → pipe bending)
            alts = tuple(self.make_resolved("process", code, conf, src, "outcome") for code, conf in options)
            groups.append(alts)
            strength.append(g.strength)
            for r in alts:
                if r.code not in inferred or inferred[r.code].confidence < r.confidence:
                    inferred[r.code] = r
        return groups, strength, inferred

    # -- reading a factory profile -----------------------------------------------------------------------

    def _list_item(self, item: str, kind: str) -> tuple[list[Resolved], list[str]]:
        """One raw list item resolved (cached: directories repeat the same trade words thousands of times)."""
        key = (kind, item)
        hit = self._item_cache.get(key)
        if hit is None:
            hit = self.resolve_list((item,), kind)
            if len(self._item_cache) > 100_000:
                self._item_cache.clear()
            self._item_cache[key] = hit
        return hit

    def _read_prose(self, prose: str) -> _ProseReading:
        """The capabilities, outsourced and not-done steps and hints of a factory's prose (cached)."""
        hit = self._prose_cache.get(prose)
        if hit is not None:
            return hit
        ex = self.extract(prose, outcomes=False, profile=True)
        ctx = set(ex.context)
        found = [r for r in (*ex.processes, *ex.materials) if r.kind == "material" or r.code not in ctx]
        blocked = {r.code for r in (*ex.negated, *ex.outsourced)} | {r.code for r in found}
        low = unicodedata.normalize("NFKC", prose[:MAX_TEXT]).lower()
        same = len(low) == len(prose[:MAX_TEXT])
        for m in _MACHINE_SERIES.finditer(low):
            code = _MACHINES[m.group(1) or m.group(2)]
            if code in self.taxonomy.processes and code not in blocked:
                blocked.add(code)
                src = (prose[m.start() : m.end()] if same else m.group(0)).strip()
                found.append(self.make_resolved("process", code, 1.0, src, "machine"))
        found = self._plating_metals(prose[:MAX_TEXT], found, blocked)
        found = _without_generic_cut(found)
        caps = tuple(
            Evidence(
                r.kind, r.code, r.label_ja, r.label_en, "prose", _clause(prose, r.source), r.confidence, r.source
            )
            for r in found
        )
        tt = tokens(prose[:MAX_TEXT], fold_map, fold)
        hints = tuple(dict.fromkeys(src for _a, _b, _e, src in self._scan(tt, prose[:MAX_TEXT], False, hints=True)))
        hit = _ProseReading(caps, tuple(ex.outsourced), tuple(ex.negated), hints[:30])
        if len(self._prose_cache) > 50_000:
            self._prose_cache.clear()
        self._prose_cache[prose] = hit
        return hit

    def _plating_metals(self, prose: str, found: list[Resolved], blocked: set[str]) -> list[Resolved]:
        """In a plating shop's text, bare metals listed as items (亜鉛・ニッケル・無電解ニッケル, ニッケル・クロムと
        重ねる, "zinc, nickel and chrome") are the platings it does."""
        tax = self.taxonomy
        if not any(r.kind == "process" and tax.processes[r.code].parent == "plating" or r.code == "plating"
                   for r in found):
            return found
        out = list(found)
        spans = clauses(prose)
        for m in _PLATING_METAL.finditer(prose):
            code = _PLATING_METALS.get(m.group(1)) or _PLATING_METALS[m.group(1).lower()]
            if clause_role(prose, clause_of(spans, m.start()), m.start(), m.end()) is not None:
                continue  # "Zinc we used to do", 亜鉛は外注: not a plating this shop does
            if code in tax.processes and code not in blocked and all(r.code != code for r in out):
                out.append(self.make_resolved("process", code, 0.9, m.group(1), "plating-metal"))
        return out

    def read_profile(
        self,
        processes: tuple[str, ...] | list[str] = (),
        materials: tuple[str, ...] | list[str] = (),
        description: str = "",
        equipment: tuple[str, ...] | list[str] = (),
        *,
        confirmed: tuple[str, ...] | list[str] = (),
        rejected: tuple[str, ...] | list[str] = (),
    ) -> ProfileReading:
        """The one rule for what a factory does: its own list items (level "listed"), then what its prose
        states it does itself (level "prose", with the clause). Steps the text sends to partners or says it
        does not do, and service words / product nouns, are never capabilities. ``confirmed`` codes count as
        listed; ``rejected`` codes are never capabilities."""
        return self.read_profile_and_unresolved(processes, materials, description, equipment, confirmed, rejected)[0]

    def read_profile_and_unresolved(
        self,
        processes: tuple[str, ...] | list[str],
        materials: tuple[str, ...] | list[str],
        description: str,
        equipment: tuple[str, ...] | list[str],
        confirmed: tuple[str, ...] | list[str],
        rejected: tuple[str, ...] | list[str],
    ) -> tuple[ProfileReading, list[str]]:
        """:meth:`read_profile`, together with the list items that resolved to nothing (for the index's
        unresolved-terms report)."""
        rejected_set = {c for c in rejected or () if isinstance(c, str)}
        caps: dict[tuple[str, str], Evidence] = {}

        def keep(ev: Evidence) -> None:
            if ev.code in rejected_set:
                return
            key = (ev.kind, ev.code)
            old = caps.get(key)
            if old is None or (old.level != "listed" and ev.level == "listed"):
                caps[key] = ev
            elif old.level == ev.level and old.confidence < ev.confidence:
                caps[key] = ev

        unresolved, item_out, item_neg = self._read_list_items(processes, materials, keep)
        desc = description if isinstance(description, str) else ""
        equip = " / ".join(e for e in (equipment or ()) if isinstance(e, str))
        prose = (desc[:MAX_TEXT] + "\n" + equip).strip()
        outsourced: tuple[Resolved, ...] = ()
        not_done: tuple[Resolved, ...] = ()
        hints: tuple[str, ...] = ()
        if prose:
            pr = self._read_prose(prose)
            outsourced, not_done, hints = pr.outsourced, pr.not_done, pr.hints
            for ev in pr.capabilities:
                keep(ev)
        self._implied_materials(caps, keep)
        outsourced = (*item_out, *outsourced)
        not_done = (*item_neg, *not_done)
        self._add_confirmed(caps, confirmed, rejected_set)
        have = {code for kind, code in caps if kind == "process"}
        reading = ProfileReading(
            tuple(caps.values()),
            tuple({r.code: r for r in outsourced if r.code not in have}.values()),
            tuple({r.code: r for r in not_done if r.code not in have}.values()),
            hints,
        )
        return reading, unresolved

    def _read_list_items(
        self,
        processes: tuple[str, ...] | list[str],
        materials: tuple[str, ...] | list[str],
        keep: Callable[[Evidence], None],
    ) -> tuple[list[str], list[Resolved], list[Resolved]]:
        """Resolve the owner's process and material list items and ``keep`` each as "listed" evidence. A
        process item that resolves to nothing but says where the step goes ("焼入れ（外注）", "溶接不可") is
        read like prose. Gives the unresolved items and the steps the items send out or do not do."""
        unresolved: list[str] = []
        item_out: list[Resolved] = []
        item_neg: list[Resolved] = []
        for kind, items in (("process", processes), ("material", materials)):
            for item in items or ():
                if not isinstance(item, str) or not item.strip():
                    continue
                found, unres = self._list_item(item, kind)
                if unres and kind == "process":
                    # a list item that says where the step goes ("焼入れ（外注）", "溶接不可") is read like prose
                    pr = self._read_prose(item.strip()[:200])
                    if pr.outsourced or pr.not_done:
                        item_out.extend(pr.outsourced)
                        item_neg.extend(pr.not_done)
                        unres = []
                unresolved.extend(unres)
                for r in found:
                    keep(
                        Evidence(
                            kind, r.code, r.label_ja, r.label_en, "listed", item.strip()[:200], r.confidence,
                            r.source,
                        )
                    )
        return unresolved, item_out, item_neg

    def _add_confirmed(
        self,
        caps: dict[tuple[str, str], Evidence],
        confirmed: tuple[str, ...] | list[str],
        rejected_set: set[str],
    ) -> None:
        """Codes the owner confirmed count as listed at full confidence (keeping the evidence already read)."""
        tax = self.taxonomy
        for code in confirmed or ():
            if not isinstance(code, str) or code in rejected_set:
                continue
            kind = "process" if code in tax.processes else "material" if code in tax.materials else None
            if kind is None:
                continue
            old = caps.get((kind, code))
            if old is not None:
                caps[(kind, code)] = Evidence(
                    kind, code, old.label_ja, old.label_en, "listed", old.phrase, 1.0, old.source
                )
            else:
                item = tax.processes[code] if kind == "process" else tax.materials[code]
                caps[(kind, code)] = Evidence(kind, code, item.label_ja, item.label_en, "listed", "", 1.0)

    def _implied_materials(self, caps: dict, keep: Any) -> None:
        """Materials a capability names by itself: the process works one material (江戸切子 → glass, 縫製 →
        fabric), or its words start with one (アルミダイカスト → aluminium). Read from prose at 0.8, and only when the
        owner gave no material list."""
        tax = self.taxonomy
        have = {code for kind, code in caps if kind == "material"}
        if any(e.kind == "material" and e.level == "listed" for e in caps.values()):
            return  # the owner listed the materials: the list is theirs to complete
        named = bool(have)  # "hand-stitched leather wallets": stitching implies no fabric when leather is named
        for ev in [e for e in caps.values() if e.kind == "process"]:
            found = []
            if _IMPLIED_MATERIAL.get(ev.code) in tax.materials and not named:
                found.append(_IMPLIED_MATERIAL[ev.code])
            src = fold(ev.source or "")
            if len(src) >= 4 and not src.isascii() and ev.code not in MADE_CODES:
                for k in range(len(src) - 2, 1, -1):
                    mats = [
                        e.code for e in self._exact.get(src[:k], ())
                        if e.kind == "material" and tax.materials[e.code].family not in _NOT_PREFIX_FAMILIES
                    ]
                    if mats:
                        found.extend(mats)
                        break
            for code in found:
                if code not in have:
                    m = tax.materials[code]
                    keep(Evidence("material", code, m.label_ja, m.label_en, "prose", ev.phrase, 0.8, ev.source))
                    have.add(code)

    def resolve_list(
        self, terms: tuple[str, ...] | list[str], kind: str
    ) -> tuple[list[Resolved], list[str]]:
        """Resolve raw list items; an item may name several things ("MC加工・NCフライス", "旋盤、研削")."""
        found: dict[str, Resolved] = {}
        unresolved: list[str] = []
        for t in terms:
            if not isinstance(t, str):
                raise MatchingInputError("list items must be strings")
            if not t.strip():
                continue
            key = fold(t[:200])
            exact = [e for e in self._exact.get(key, ()) if e.kind == kind]
            if exact:
                for e in exact:
                    found.setdefault(e.code, self.make_resolved(kind, e.code, 1.0, t, e.via))
                continue
            ex = self.extract(t[:200], outcomes=False)
            items = ex.processes if kind == "process" else ex.materials
            if items:
                for r in items:
                    found.setdefault(r.code, r)
                continue
            r = self.resolve(t, kind)
            if r is not None:
                found.setdefault(r.code, r)
            else:
                unresolved.append(t.strip()[:80])
        return list(found.values()), unresolved


# --- roles of a process mention: requested step, context (object's history / part) or negated ----------

_EN_NEG_BEFORE = re.compile(
    r"(?:^|[^a-z])(?:no|not|without|except|excluding|w/o|never|non|don't need|do not need|no need for|"
    r"no need to|avoid|instead of|rather than)[\s-]+(?:any\s+|the\s+|a\s+)?$"
)
_EN_NEG_AFTER = re.compile(
    r"^\s*(?:is\s+|are\s+|will\s+be\s+)?(?:not\s+(?:needed|required|necessary|wanted|possible|available|"
    r"offered|allowed)|unnecessary|unavailable|not\s+in[\s-]house)"
    # "pcb design is not something we offer", "electropolishing is not done here", "isn't offered"
    r"|^\s*[:：\-–—(]\s*(?:not|no|n/a|none)\b"  # "welding: not available", "painting - no"
    r"|^\s*(?:is|are)(?:\s+not|n't)\s+(?:done|offered|provided|performed|carried\s+out|handled|something|"
    r"anything|part\s+of|a\s+service|among|one\s+of|what\s+we)\b"
)
_JA_NEG_AFTER = re.compile(
    r"^(?:加工|処理)?(?:は|も|を|が)?(?:不可|不要|なし|無し|ナシ|しない|せず|しません|できない|できません|出来ない|"
    r"出来ません|対応外|非対応|不対応|お断り|行っておりません|行っていません|やっていません|していません|"
    r"要らない|いらない|不使用|以外|NG|ng|はNG)"
)
_EN_DET_BEFORE = re.compile(
    r"(?:^|[^a-z])(?:a|an|the|of|on|for|to|from|my|our|their|your|this|these|those|existing|some|its|"
    r"all|around|along|between|near|at|with|already|previously)\s+$"
)
_EN_FUNCTION = {
    "and", "or", "then", "to", "by", "with", "in", "at", "from", "using", "before", "after", "for", "as",
    "into", "on", "and/or", "is", "are", "was", "be", "it", "them", "only", "in-house", "inhouse", "so",
    "but", "if", "please", "per", "of", "finish", "finishing", "service", "services", "work", "shop",
}
_EN_ADVERBS = {"too", "also", "first", "please", "well", "again", "as", "now", "later", "soon", "only"}
_EN_OWNED = re.compile(r"\b(?:our|my|their|these|those|your|its)\s+(?:[a-z\-']+\s+){0,3}$", re.I)
_EN_NEXT_WORD = re.compile(r"^\s+([a-z][a-z0-9\-/]*)")
_EN_PARTICIPLE_IRREGULAR = {"cast", "spun", "ground", "bent", "drawn", "built", "made", "forged", "cut"}
_JA_DONE_AFTER = re.compile(
    r"^(?:加工)?(?:した|された|済み|済|してある|してあった|されている|されてる|した後の|後の)の?"
    r"(?!後|あと|ら|い|て|ほう|方|上で|うえ|ところ|こと|とき|時|場合|ため|[、。,.!?！？\s]|$)"
)
_JA_PART_AFTER = re.compile(r"^(?:部|箇所|個所|面|品|物|部品|パーツ|製品|ビード|跡|痕|ライン)(?=[のをにへがはも])")
_JA_OF_AFTER = re.compile(
    r"^((?:[一-龥々ァ-ヺー]|[a-zA-Z0-9]){0,8})の(?!あと|後|前|まえ|うえ|上で|ため|際|時|とき|場合|ご|お|依頼|相談|"
    r"見積|一貫|両方|全|各|ほか|他|ような|よう|技術|経験|実績|専門|工場|会社|職人|仕事|対応|設備)"
)


def _method_before(text: str, tt: TokenText, a: int, proc_hits: list[tuple[int, int]]) -> bool:
    """Another process mention before folded position ``a`` in the same sentence is followed by で (the method)."""
    os_ = tt.starts[a]
    for _a2, b2 in proc_hits:
        if b2 > a:
            break
        oe2 = tt.ends[b2 - 1]
        if text[oe2 : oe2 + 1] == "で" or text[oe2 - 1 : oe2] == "で":
            if not re.search(r"[。！？!?\n]", text[oe2:os_]):
                return True
    return False


def _next_is_material(text: str, oe: int, tt: TokenText, mat_starts: set[int]) -> bool:
    """A material mention starts right after the word ending at original index ``oe`` (past spaces)."""
    gap = len(text[oe:]) - len(text[oe:].lstrip(" "))
    target = oe + gap
    return any(tt.starts[m] == target for m in mat_starts)


def _orig_end(folded: Folded | TokenText, original: str, b: int) -> int:
    return folded.ends[b - 1] if b > 0 else 0


def _role(folded: Folded | TokenText, original: str, a: int, b: int, proc_hits: list[tuple[int, int]]) -> str:
    """How a process mention at folded[a:b] is used: "act" (a step someone does or wants), "context"
    (describes the object: "a welded frame", 「溶接部の検査」, 「金型プレートの研削」) or "negated"."""
    s = folded.text
    word = s[a:b]
    oe = _orig_end(folded, original, b)
    os_ = folded.starts[a]
    if word.isascii():
        # extend to the whole word (the scanner may have added a suffix already)
        m = re.match(r"[a-z0-9]*", s[b:])
        end = b + (m.end() if m else 0)
        whole = s[a:end]
        before = s[max(0, a - 40) : a]
        after = s[end : end + 40]
        if _EN_NEG_BEFORE.search(before) or _EN_NEG_AFTER.match(after):
            return "negated"
        last = whole.split()[-1] if whole.split() else whole
        participle = last.endswith(("ed", "en")) or last in _EN_PARTICIPLE_IRREGULAR
        plural = last.endswith("s") and not last.endswith(("ss", "ing"))
        if (participle or plural) and _EN_DET_BEFORE.search(before):
            if plural:
                return "context"
            nxt = _EN_NEXT_WORD.match(after)
            if nxt and nxt.group(1) not in _EN_FUNCTION:
                return "context"
        return "act"
    after_o = unicodedata.normalize("NFKC", original[oe : oe + 30])
    if _JA_NEG_AFTER.match(after_o):
        return "negated"
    before_o = unicodedata.normalize("NFKC", original[max(0, os_ - 12) : os_])
    if re.search(r"(?:no|without|non)[\s-]*$", before_o.lower()):
        return "negated"
    if _JA_DONE_AFTER.match(after_o) or _JA_PART_AFTER.match(after_o):
        return "context"
    m = _JA_OF_AFTER.match(after_o)
    if original[os_:oe].endswith("で"):
        m = None  # 「ワイヤ放電でのパンチ加工」: the method of the next step, not its object
    if m and not re.search(r"[後前時]", m.group(1)):
        # 「AのB」: A only describes B's object when B is another process mention right after の
        no_pos = oe + m.end()  # approximate original index after の (NFKC keeps CJK lengths)
        for a2, _b2 in proc_hits:
            if a2 <= a:
                continue
            o2 = folded.starts[a2]
            if no_pos <= o2 <= no_pos + 12 and not re.search(r"[、。,.・と]", original[no_pos:o2]):
                return "context"
    return "act"


_SPAN_TAIL = re.compile(r"[ー\uff70\u200b-\u200f\u2060\ufeffきりしみちけえいぎびじれ]*")


def _span(original: str, folded: Folded | TokenText, a: int, b: int) -> str:
    """The original text behind folded[a:b], including dropped long vowels / okurigana right after it."""
    end = folded.ends[b - 1]
    limit = folded.starts[b] if b < len(folded.starts) else len(original)
    m = _SPAN_TAIL.match(original, end, limit)
    if m:
        end = m.end()
    return original[folded.starts[a] : end].strip()


def _prose_ok(key: str) -> bool:
    if key in _PROSE_BLOCK:
        return False
    if re.fullmatch(r"[0-9.\-]+", key):
        return False  # bare numbers such as "6061" or "304" only count in material lists
    if len(key) == 1 and key not in "鉄鋼銅革紙錫漆":
        return False
    return True


_VARIANT_RULES = (
    ("iz", "is"),
    ("is", "iz"),
    ("mould", "mold"),
    ("mold", "mould"),
    ("aluminium", "aluminum"),
    ("aluminum", "aluminium"),
    ("colour", "color"),
    ("color", "colour"),
    ("center", "centre"),
    ("centre", "center"),
    ("fibre", "fiber"),
    ("fiber", "fibre"),
    ("-", " "),
    ("-", ""),
    (" ", "-"),
    ("grey", "gray"),
    ("gray", "grey"),
    ("metre", "meter"),
)


_DOUBLED = re.compile(r"([bdgmnprt])\1$")


def _ing_verb_forms(alias: str) -> set[str]:
    """Verb forms of a multi-word English alias whose last word is an "-ing" noun (see Normaliser)."""
    words = alias.lower().split()
    if not alias.isascii() or len(words) < 2 or not words[-1].endswith("ing") or len(words[-1]) < 6:
        return set()
    stem = words[-1][:-3]
    bases = {stem[:-1]} if _DOUBLED.search(stem) else {stem, stem + "e"}
    head = " ".join(words[:-1])
    return {f"{head} {f}" for b in bases for f in verb_forms(b)} - {alias.lower()}


_TRAILING_OKURIGANA = re.compile(r"(?<=[一-龥々])[きりしみちけえいぎびじれ]$")


def _cover(word: str, table: Mapping[str, list[_Entry]]) -> list[str] | None:
    """Split ``word`` into known keys of at least two characters that cover it exactly (fewest pieces)."""
    n = len(word)
    if n > 24:
        return None
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        cur = best[i]
        if cur is None:
            continue
        for j in range(i + 2, n + 1):
            piece = word[i:j]
            if piece in table and (best[j] is None or len(best[j]) > len(cur) + 1):  # type: ignore[arg-type]
                best[j] = [*cur, piece]
    return best[n]


_VERB_STEM_END = re.compile(r"[をでにがもへ][一-龥]$")


def _spelling_variants(alias: str) -> set[str]:
    out = {alias}
    if _VERB_STEM_END.search(alias):
        out.add(alias + "る")  # "金型を作" also as the dictionary form the analyser gives (作り直す → 作る)
    short = _TRAILING_OKURIGANA.sub("", alias)
    if short != alias and len(short) >= 2:
        out.add(short)  # "ヘラ絞り一筋" folds to "ヘラ絞一筋": let "ヘラ絞" match too
    if alias.isascii():
        low = alias.lower()
        for a, b in _VARIANT_RULES:
            if a in low and (a not in ("iz", "is") or re.search(r"i[sz](e|ed|es|ing|ation|er)\b", low)):
                out.add(low.replace(a, b))
    return out
