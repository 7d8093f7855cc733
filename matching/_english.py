"""English bare verbs read by their position (see ``WEAK_VERBS``), their regular forms, and phrasal "turn"."""

from __future__ import annotations

import re

from ._tokenise import TokenText

# Bare English verbs that are also common nouns or other words ("turn", "mill", "cast", "ground", "paint",
# "stamp", "saw"): read only where the syntax makes them a shop-floor verb (see ``_weak_ok``): coordinated with
# another process ("turned, hardened and ground", "turn, harden, grind"), an imperative ("Forge 500 hooks",
# "please saw the bar"), after a subject or a modal ("we also turn", "can you knurl"), or a participle after
# be/get/have ("need them ground", "to be tapped"). Every regular form is generated (-s, -ed, -ing with
# e-dropping and consonant doubling); irregular participles are listed.
WEAK_VERBS: dict[str, tuple[str, tuple[str, ...]]] = {
    "turn": ("turning", ()),
    "mill": ("milling", ()),
    "grind": ("grinding", ("ground",)),
    "cast": ("casting", ("cast",)),
    "paint": ("painting", ()),
    "polish": ("polishing", ()),
    "plate": ("plating", ()),
    "forge": ("forging", ()),
    "stamp": ("pressing", ()),
    "saw": ("sawing", ("sawn",)),
    "bore": ("drilling", ()),
    "tap": ("drilling", ()),
    "ream": ("drilling", ()),
    "countersink": ("drilling", ("countersunk",)),
    "knurl": ("turning", ()),
    "broach": ("machining", ()),
    "hone": ("lapping", ()),
    "lap": ("lapping", ()),
    "spin": ("metal_spinning", ("spun",)),
    "bend": ("bending", ("bent",)),
    "fold": ("bending", ()),
    "print": ("printing", ()),
    "extrude": ("extrusion", ()),
    "temper": ("hardening", ()),
    "pickle": ("conversion_coating", ()),
    "chamfer": ("deburring", ()),
    "machine": ("machining", ()),
    "weld": ("welding", ()),
    "coat": ("coating", ()),
    "press": ("pressing", ()),
    "punch": ("punching", ()),
    "roll": ("bending", ()),
    "shear": ("sheet_metal", ()),
    "sew": ("sewing", ("sewn",)),
    "dye": ("dyeing", ()),
    "bind": ("bookbinding", ("bound",)),
    "mould": ("injection_molding", ()),
    "mold": ("injection_molding", ()),
    "blast": ("blasting", ()),
    "tumble": ("barrel_finishing", ()),
    "drill": ("drilling", ()),
    "harden": ("hardening", ()),
    "anneal": ("annealing", ()),
    "solder": ("soldering", ()),
    "braze": ("brazing", ()),
    "rivet": ("riveting", ()),
    "glue": ("adhesive_bonding", ()),
    "engrave": ("engraving", ()),
    "etch": ("etching", ()),
    "emboss": ("engraving", ()),
    "scan": ("scanning_3d", ()),
    "inspect": ("inspection", ()),
    "assemble": ("assembly", ()),
    "crimp": ("wire_harness", ()),
}
_VOWELS = "aeiou"


def verb_forms(base: str, irregular: tuple[str, ...] = ()) -> set[str]:
    """The regular forms of an English verb: base, -s/-es, -ed, -ing, with e-dropping (machine → machining),
    consonant doubling after a short vowel (tap → tapped, cut → cutting), plus the given irregular forms."""
    out = {base, *irregular}
    out.add(base + ("es" if base.endswith(("s", "sh", "ch", "x", "z")) else "s"))
    if base.endswith("e") and not base.endswith("ee"):
        stem = base[:-1]
        out.update({base + "d", stem + "ing"})
    else:
        double = (
            len(base) >= 3 and base[-1] not in _VOWELS + "wxy" and base[-2] in _VOWELS and base[-3] not in _VOWELS
            and len(base) <= 4
        )
        stem = base + base[-1] if double else base
        out.update({stem + "ed", stem + "ing"})
    return out


_WEAK_SEP = re.compile(
    r"^\s*(?:[,/&+、・;]\s*(?:(?:and|or|then|and then|plus)\s+)?|(?:and|or|then|and then|plus|as well as)\s+)$", re.I
)
_WEAK_LEAD = re.compile(
    r"(?:^|[.!?;:\n(\-•・*]\s*|\b(?:to|please|pls|you|we|i|they|also|can|could|will|would|must|need|needs|not|never|n.t|"
    r"want|wants|then|and|or|who|that|which|shop|someone|somebody|anyone|help\s+us|us)\s+)$",
    re.I,
)
_WEAK_PASSIVE = re.compile(
    r"\b(?:be|been|being|is|are|was|were|get|gets|got|getting|have|has|had|them|it|these|those|all|"
    r"parts?|pieces?|pcs|off)\s+(?:\w+ly\s+|then\s+|also\s+)?$",
    re.I,
)
_WEAK_CAUSATIVE = re.compile(r"\b(?:need|needs|want|wants|get|have|having|had|like)\s+(?:[a-z0-9\-]+\s+){1,4}$", re.I)
_WEAK_NOUN_AFTER = re.compile(
    r"^\s*(?:of|shop|shops|house|houses|iron|steel|stone|wheel|wheels|marks?|into|over|around|round|"
    r"blue|brown|black|green|yellow|red|white|grey|gray|rusty|bad|dark|dull|pale)\b",
    re.I,
)
_TURN_PHRASAL = re.compile(r"^\s*(?:out|off|up|away|over|around|round|into)\b", re.I)


# "machine" before these nouns is a compound noun ("machine embroidery", "machine bases"), never a verb
_MACHINE_NOUN_AFTER = re.compile(
    r"^\s+(?:bases?|frames?|beds?|covers?|guards?|tools?|builders?|makers?|operators?|embroidery|sewing|knitting|"
    r"stitching|quilting|washable|readable|learning|vision|translation|rooms?|halls?|screws?)\b",
    re.I,
)
# a plural after a number, a determiner or a material adjective is a noun ("10 aluminium plates")
_WEAK_PLURAL_NOUN = re.compile(
    r"(?:\d|\b(?:the|a|an|our|your|their|these|those|some|of|steel|aluminium|aluminum|stainless|brass|copper|"
    r"iron|metal|plastic|acrylic|wooden|glass|base|mounting|cover|side|end|top|bottom|flat|thin|thick|"
    r"[a-z]{3,}ing))\s+$",
    re.I,
)


def _weak_ok(text: str, start: int, end: int, form: str, neighbours: list[tuple[int, int]]) -> bool:
    """Whether a bare verb at text[start:end] is a shop-floor verb here (see ``WEAK_VERBS``)."""
    if any(a >= end and not text[end:a].strip() for a, _b in neighbours):
        return False  # "machine embroidery", "weld inspection": the word names the next process's kind
    if form.startswith("machin") and _MACHINE_NOUN_AFTER.match(text[end : end + 20]):
        return False
    if form.endswith("s") and not form.endswith("ss") and _WEAK_PLURAL_NOUN.search(text[max(0, start - 16) : start]):
        return False
    if form.startswith("turn") and re.match(r"^\s+(?:[\w\-]+\s+){1,4}into\b", text[end : end + 50], re.I):
        return False  # "turn the scans into CAD models"
    for a, b in neighbours:  # coordinated with another process: "turned, hardened and ground"
        gap = text[b:start] if b <= start else text[end:a]
        if len(gap) <= 12 and _WEAK_SEP.match(gap):
            return True
    if _WEAK_NOUN_AFTER.match(text[end : end + 10]) or (
        form.startswith("turn") and _TURN_PHRASAL.match(text[end : end + 8])
    ):
        return False  # "turned blue", "turns out", "turning into": not lathe work
    before = text[max(0, start - 24) : start]
    if _WEAK_LEAD.search(before) and not form.endswith(("ed", "en", "un", "ut", "ound", "ent", "ast", "ewn", "awn")):
        # "we turn", "Forge 500 hooks" (not "you turns" / plurals; a participle first is an adjective:
        # "printed gift boxes")
        return not form.endswith("s") or form.endswith("ss")
    if form.endswith(("ed", "en", "un", "ut", "ound", "ent", "ast", "ewn", "awn")) and (
        _WEAK_PASSIVE.search(before) or _WEAK_CAUSATIVE.search(text[max(0, start - 40) : start])
    ):
        return True  # "to be ground", "need them tapped", "want the holes tapped"
    return False


def phrasal_turn(hit: tuple, tt: TokenText, original: str) -> bool:
    """"turning into", "turned out", "turns blue": the English phrasal verb, not lathe work."""
    src = hit[3]
    if not src[:4].lower() == "turn" or " " in src.strip():
        return False
    end = tt.ends[hit[1] - 1]
    return bool(_TURN_PHRASAL.match(original[end : end + 8]) or _WEAK_NOUN_AFTER.match(original[end : end + 10]))


def keep_weak(hits: list, tt: TokenText, original: str) -> list:
    """Drop the bare-verb hits that are not in a verb's position (``_weak_ok``); a verb accepted by its
    position anchors the next one ("turn, harden, grind")."""
    def span(h: tuple) -> tuple[int, int]:
        return tt.starts[h[0]], tt.ends[h[1] - 1]

    anchors = [span(h) for h in hits if h[2].kind == "process" and h[2].via != "weak"]
    pending = [h for h in hits if h[2].via == "weak"]
    kept: set[int] = set()
    changed = True
    while changed and pending:
        changed = False
        for h in list(pending):
            a, b = span(h)
            if _weak_ok(original, a, b, original[a:b].lower(), anchors):
                kept.add(id(h))
                anchors.append((a, b))
                pending.remove(h)
                changed = True
    return [h for h in hits if h[2].via != "weak" or id(h) in kept]
