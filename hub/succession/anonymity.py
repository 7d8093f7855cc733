"""Finding what could name or locate a factory in the text its owner writes for an anonymous listing.

Hard findings (the factory's name, its street address or town, a phone number, an e-mail address, a web address,
coordinates, an owner's full name) block submission and publication. Soft findings (a line copied word for word
from the public directory profile, which a reader could search for) are warnings for the owner and the reviewer.

Text and the factory's own details are compared after the same normalisation, so that the usual evasions fail:
full-width letters and digits (NFKC), names split with ・, - or spaces, katakana for hiragana, kana readings
(ひがしこうじや for 東糀谷, きょうじま for 京島), romanised names (Kyōjima, Kyoujima, Kyo-jima; readings from
pykakasi), kanji numerals (三丁目十四番七号 → 3-14-7, 〇三 → 03), phone numbers written with dots, spaces or
brackets, "info (at) example (dot) jp", coordinates in degrees and minutes (35°33′, 北緯35度33分), and the labels
of the factory's web domain.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import lazy_gettext as _l

from matching import WARDS

# Company-form and trade words that are not distinctive on their own: "京浜研削工業所" is found by "京浜" too.
_SUFFIXES = ("株式会社", "有限会社", "合同会社", "合資会社", "(株)", "(有)", "製作所", "工業所", "工業", "工作所",
             "工場", "製作", "工務店", "商会", "鋳物所", "鋳造所", "鉄工所", "研削所", "精機", "精密", "研削", "鋳物",
             "鋳造", "金属", "技研", "産業", "works", "co.", "ltd.", "ltd", "inc.", "inc", "k.k.", "corporation",
             "company", "factory", "manufacturing", "mfg.", "mfg", "foundry", "precision", "grinding", "industries",
             "industry", "engineering", "metals", "metal", "seisakusho", "kogyosho", "kougyousho", "kogyo", "kougyou",
             "seiki", ",", "&", "and")
_PHONE = re.compile(r"(?<!\d)(?:\+?81[- ]?)?0\d{1,4}[- ()]?\d{1,4}[- )]?\d{3,4}(?!\d)")
_LONG_DIGITS = re.compile(r"(?<!\d)0\d{9,10}(?!\d)")
# A run of digits and the separators people put in phone numbers (dots, spaces, brackets, dashes, ・).
_DIGIT_RUN = re.compile(r"\+?\d[\d\s.\-()・/]{6,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:co\.jp|jp|com|net|org)\b")
_COORD = re.compile(r"(?<!\d)(?:3[45]|13[89]|14[01])\.\d{3,}")
# Degrees and minutes (35°33′, 35度33分, N35 33.07) and the words for latitude and longitude before a number.
_DMS = re.compile(r"(?<!\d)(?:3[45]|13[89]|14[01])\s*(?:°|度|º|˚)\s*\d{1,2}(?:[.,]\d+)?\s*(?:['’′]|分)?"
                  r"|\b[ne]\s?(?:3[45]|13[89]|14[01])[°\s]+\d{1,2}(?:[.,]\d+)?\b")
_LATLON_WORD = re.compile(r"(?:北緯|東経|緯度|経度|latitude|longitude|\blat\b|\blon\b|\blng\b)\s*[:：=]?\s*\d")
_BLOCK_NUMBER = re.compile(r"(?<!\d)\d{1,2}-\d{1,3}-\d{1,4}(?!\d)|\d+丁目|\d+番地")
# "(at)", "[at]", "アットマーク" → "@"; "(dot)", "[dot]", "ドット" → "."
_AT = re.compile(r"\s*(?:[\[({<]\s*(?:at|あっと|アット(?:マーク)?)\s*[\])}>]|アットマーク|＠)\s*", re.IGNORECASE)
_DOT = re.compile(r"\s*(?:[\[({<]\s*(?:dot|ドット|てん)\s*[\])}>]|ドット)\s*", re.IGNORECASE)
_SPELLED = re.compile(r"\b([\w.+-]+)\s+at\s+([\w-]+(?:\s+dot\s+[\w-]+)+)\b", re.IGNORECASE)
_SITE_COMMON = {"www", "co", "jp", "com", "net", "org", "ne", "or", "ac", "go", "example", "info", "mail", "tokyo",
                "http", "https", "html", "index"}

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


# --- normalisation ------------------------------------------------------------------------------------------------

_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_RUN = re.compile("[〇零一二三四五六七八九十百千]+")
_KATAKANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def _kanji_number(match: re.Match) -> str:
    """三 → 3, 十四 → 14, 二十三 → 23, 〇三 → 03 (digit by digit when there is no 十, 百 or 千)."""
    run = match.group(0)
    if not any(c in _KANJI_UNITS for c in run):
        return "".join(str(_KANJI_DIGITS[c]) for c in run)
    total = current = 0
    for char in run:
        if char in _KANJI_DIGITS:
            current = current * 10 + _KANJI_DIGITS[char]
        else:
            total += (current or 1) * _KANJI_UNITS[char]
            current = 0
    return str(total + current)


def numeric(text: str) -> str:
    """NFKC, lower case, kanji numerals as digits, and address markers between numbers as dashes
    (三丁目十四番七号 → 3-14-7)."""
    text = _KANJI_RUN.sub(_kanji_number, unicodedata.normalize("NFKC", text or "").casefold())
    return re.sub(r"(?<=\d)\s*(?:丁目|番地の?|番|号|の|[-ー−‐–―])\s*(?=\d)", "-", text)


def compact(text: str | None) -> str:
    """For names: NFKC, lower case, katakana as hiragana, kanji numerals as digits, no spaces or punctuation
    (秘密・精機, 秘密 精機 and ﾋﾐﾂ compare with 秘密精機 and ひみつ)."""
    text = unicodedata.normalize("NFKC", text or "").casefold().translate(_KATAKANA)
    text = _KANJI_RUN.sub(_kanji_number, text)
    return re.sub(r"[\W_]+", "", text)


@lru_cache(maxsize=1)
def _kakasi():
    import pykakasi

    return pykakasi.kakasi()


@lru_cache(maxsize=4096)
def _convert(text: str) -> tuple[str, str]:
    """(hiragana reading, folded romanisation) of a text, from pykakasi's readings."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c) or ord(c) > 0x3000)
    parts = _kakasi().convert(unicodedata.normalize("NFKC", text).casefold()[:20000])
    reading = re.sub(r"[\W_]+", "", "".join(p["hira"] for p in parts).translate(_KATAKANA))
    return reading, fold_roman("".join(p["hepburn"] for p in parts))


def fold_roman(text: str) -> str:
    """Letters only, long vowels folded: Kyōjima, Kyoujima, Kyoojima and Kyo-jima are all 'kyojima'."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"[^a-z]", "", text.lower())
    for long, short in (("ou", "o"), ("oo", "o"), ("uu", "u"), ("oh", "o"), ("aa", "a"), ("ii", "i")):
        text = text.replace(long, short)
    return text


@dataclass(frozen=True)
class Forms:
    """A text in every form the checks compare."""

    compact: str
    reading: str
    roman: str

    @classmethod
    def of(cls, text: str | None) -> Forms:
        reading, roman = _convert(text or "")
        return cls(compact(text), reading, roman)

    def contains(self, key: Forms) -> bool:
        return bool((key.compact and key.compact in self.compact) or (key.reading and key.reading in self.reading)
                    or (key.roman and key.roman in self.roman))


def _is_cjk(text: str) -> bool:
    return any(ord(c) > 0x2E80 for c in text)


def key(text: str | None, *, min_chars: int = 2) -> Forms:
    """The forms of a name or town to look for, each left out when too short to be distinctive."""
    forms = Forms.of(text)
    size = min_chars if _is_cjk(forms.compact) else max(min_chars, 4)
    return Forms(forms.compact if len(forms.compact) >= size else "",
                 forms.reading if len(forms.reading) >= 4 else "",
                 forms.roman if len(forms.roman) >= 5 else "")


_WARD_NAMES = {w.name_ja for w in WARDS.values()}


def _core(name: str) -> str:
    """The name without company-form and trade words at either end ('京島鋳物所' → '京島')."""
    core = unicodedata.normalize("NFKC", name).casefold().strip()
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            for stripped in (core.removeprefix(suffix).strip(" ・-"), core.removesuffix(suffix).strip(" ・-")):
                if stripped != core and stripped:
                    core, changed = stripped, True
    return core


def name_keys(*names: str | None) -> list[Forms]:
    """Every spelling of the names (and their distinctive cores) worth looking for; never a ward's name."""
    out: list[Forms] = []
    for name in names:
        if not name or not name.strip():
            continue
        out.append(key(name, min_chars=3))
        core = _core(name)
        if core and not any(compact(core) in compact(ward) for ward in _WARD_NAMES):
            out.append(key(core, min_chars=2))
    return [k for k in out if k.compact or k.reading or k.roman]


def address_keys(address: str | None, ward: str | None) -> tuple[list[Forms], list[str]]:
    """(keys for the address, the part after the ward and the town name, in every spelling; the address's own
    block numbers, e.g. '2-22-5')."""
    full = unicodedata.normalize("NFKC", address or "").strip()
    if not full:
        return [], []
    rest = full.removeprefix("東京都")
    ward_row = WARDS.get(ward or "")
    for name in ([ward_row.name_ja] if ward_row is not None else sorted(_WARD_NAMES)):
        if rest.startswith(name):
            rest = rest[len(name):]
            break
    keys = [key(full, min_chars=3)]
    if rest and rest != full:
        keys.append(key(rest, min_chars=3))
    town = re.match(r"[^\d\-ー−‐〇一二三四五六七八九十]+", rest)
    if town and len(town.group(0)) >= 2 and town.group(0) not in _WARD_NAMES:
        name = town.group(0)
        keys.append(key(name.removesuffix("町") if len(name) > 3 else name, min_chars=2))
    numbers = re.findall(r"\d+(?:-\d+)+", numeric(full))
    return [k for k in keys if k.compact or k.reading or k.roman], numbers


def site_keys(website: str | None) -> tuple[str, list[str]]:
    """(the host, its distinctive labels) of the factory's web address: 'himitsu-seiki.example.jp' → 'himitsuseiki'."""
    host = norm(website).removeprefix("https://").removeprefix("http://").removeprefix("www.").split("/")[0]
    labels = [compact(label) for label in re.split(r"[.]", host) if label not in _SITE_COMMON]
    return host, [label for label in labels if len(label) >= 5 and label not in _SITE_COMMON]


def deobfuscate(text: str) -> str:
    """'info (at) example (dot) jp', 'info [at] example [dot] jp', 'info at example dot jp' → 'info@example.jp'."""
    text = unicodedata.normalize("NFKC", text)
    text = _DOT.sub(".", _AT.sub("@", text))
    return _SPELLED.sub(lambda m: m.group(1) + "@" + re.sub(r"\s+dot\s+", ".", m.group(2), flags=re.I), text)


def _phone(raw: str) -> bool:
    number = numeric(raw)
    if any(len(re.sub(r"\D", "", m.group(0))) >= 9 for m in _PHONE.finditer(number)) \
            or _LONG_DIGITS.search(number.replace("-", "")):
        return True
    for run in _DIGIT_RUN.finditer(number):
        digits = re.sub(r"\D", "", run.group(0))
        if (digits.startswith("0") and len(digits) in (10, 11)) \
                or (digits.startswith("81") and len(digits) in (11, 12)):
            return True
    return False


def _coordinates(raw: str) -> bool:
    number = numeric(raw)
    return bool(_COORD.search(number) or _DMS.search(number) or _LATLON_WORD.search(number))


def find(texts: dict[str, str | list[str]], *, names: list[str | None], address: str | None, ward: str | None,
         people: list[str] | None = None, website: str | None = None,
         public_text: list[str] | None = None) -> list[Finding]:
    """Findings in ``texts`` (field → text or list of lines), at most one per field and kind."""
    names_k = name_keys(*names)
    address_k, numbers = address_keys(address, ward)
    person_k = [key(p, min_chars=3) for p in people or [] if p and len(compact(p)) >= 3]
    host, labels = site_keys(website)
    public_lines = {norm(line) for line in public_text or [] if len(norm(line)) >= 12}
    findings: list[Finding] = []
    for field, value in texts.items():
        lines = value if isinstance(value, list) else [value]
        kinds: set[str] = set()
        for line in lines:
            if not line or not line.strip():
                continue
            kinds |= _kinds(line, names_k, address_k, numbers, person_k, host, labels)
            text = norm(line)
            if public_lines and (text in public_lines or any(_shared_run(text, p) for p in public_lines)):
                kinds.add("profile_copy")
        findings.extend(Finding(field, kind) for kind in sorted(kinds))
    return findings


def _kinds(line: str, names: list[Forms], address: list[Forms], numbers: list[str], people: list[Forms],
           host: str, labels: list[str]) -> set[str]:
    """The hard kinds of finding in one line of text."""
    forms = Forms.of(line)
    raw = deobfuscate(line)
    number = numeric(line)
    kinds: set[str] = set()
    if any(forms.contains(k) for k in names):
        kinds.add("name")
    if any(forms.contains(k) for k in address) or _BLOCK_NUMBER.search(number) \
            or any(re.search(rf"(?<![\d-]){re.escape(n)}(?![\d-])", number) for n in numbers):
        kinds.add("address")
    if _phone(line):
        kinds.add("phone")
    if _EMAIL.search(raw):
        kinds.add("email")
    if _URL.search(raw.casefold()) or (host and host in norm(raw)) or any(label in forms.compact for label in labels):
        kinds.add("url")
    if _coordinates(line):
        kinds.add("coordinates")
    if any(forms.contains(k) for k in people):
        kinds.add("person")
    return kinds


def _shared_run(a: str, b: str, length: int = 20) -> bool:
    """True when ``a`` and ``b`` share a run of ``length`` characters (copied prose)."""
    if len(a) < length or len(b) < length:
        return False
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return any(shorter[i:i + length] in longer for i in range(0, len(shorter) - length + 1, 4))
