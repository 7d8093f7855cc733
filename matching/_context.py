"""More clause shapes that make a mention the object, the history or the seeker's own work (issue 9, round 4).

General rules, each tested in tests/matching/test_round4.py:

* **A need's own history** (English): a participle at the head of a sentence whose noun phrase is the subject of
  a problem ("Welded steel bases distort …"), a participle after a determiner and one adjective ("an old cast
  part"), and a participle right after a definite noun and before a preposition ("the logo printed on our case").
* **A need's conditions** (Japanese): a step followed by a conditional (曲げると割れる, 溶接したら歪む) describes when
  the problem appears; a step the seeker does itself (プレスはうちでやります) is not one to find a shop for.
* **Made things**: a made thing followed by の and a plain noun (治具のベースプレート) only names what the part
  belongs to; the opening sentence of a profile that only lists made things ("Coil springs — …", "Steel
  structures, stair frames …") is the shop's product line, so it makes them.
* **Tools are tool steel**: a need about dies, moulds, punches or cutting tools with no material named reads its
  outcomes for tool steel (wear → PVD coating, nitriding).
"""

from __future__ import annotations

import re
import unicodedata

from ._scope import MADE_CODES, self_clause

_EN_PROBLEM_VERB = re.compile(
    r"^(?:\s+[a-z0-9\-]+){1,3}\s+(?:keep\s+|always\s+|often\s+|still\s+|all\s+|tend\s+to\s+|sometimes\s+)?"
    r"(?:distort|crack|rust|wear|warp|break|look|are|were|have|had|get|got|go|went|come|came|bend|fail|leak|"
    r"corrode|chip|peel|tarnish|stick|squeak|rattle|keep|show|turn)\w*\b",
    re.I,
)
_EN_DET_ADJ = re.compile(
    r"(?:^|[^a-z])(?:a|an|the|our|their|my|your|this|these|those|some|its)\s+(?:old|new|existing|broken|worn|"
    r"small|large|big|heavy|thin|thick|little|used|few|cheap|original|spare|damaged|cracked|\d+)\s+$",
    re.I,
)
_EN_DEF_NOUN = re.compile(r"\b(?:the|our|their|this|these|those|its|my|your)\s+[a-z]+\s+$", re.I)
_EN_PREP_AFTER = re.compile(r"^\s+(?:on|onto|in|into|at|by|inside|around)\b", re.I)
_PARTICIPLE = re.compile(r"(?:ed|en|cast|spun|ground|bent|drawn|built|forged|cut)$", re.I)


def need_history_en(text: str, start: int, end: int, clause_start: int) -> bool:
    """An English need's participle that describes the part it has, not a step it asks for."""
    words = text[start:end].split()
    if not words or not _PARTICIPLE.search(words[0]):
        return False
    end = start + len(words[0])  # "printed on": the alias may hold the preposition
    before = text[max(clause_start, start - 40) : start]
    after = text[end : end + 60]
    if not before.strip(" (\"'") and _EN_PROBLEM_VERB.match(after):
        return True  # "Welded steel bases distort when we machine them"
    if _EN_DET_ADJ.search(before) and re.match(r"^\s+[a-z]", after, re.I):
        return True  # "an old cast part"
    return bool(_EN_DEF_NOUN.search(before) and _EN_PREP_AFTER.match(after))  # "the logo printed on our case"


_JA_CONDITIONAL = re.compile(
    r"^(?:すると|ると|したら|っ?たら|したとき|した時|たとき|た時|するとき|する時|るとき|る時|した際|る際)"
)
_JA_SEEKER_DOES = re.compile(
    r"^(?:加工|処理)?(?:は|も)?(?:うち|弊社|当社|自社|こちら|社内|自分|我々)(?:で|が)[^。]{0,6}?"
    r"(?:やり|やる|し|する|行い|行う|行な|でき)"
)


def need_condition_ja(last: str, after: str) -> bool:
    """A Japanese need's step that states when a problem appears (曲げると, 溶接したら) or that the seeker does
    itself (プレスはうちでやります); ``last`` is the mention's last character, ``after`` the text that follows."""
    if last in "るた" and re.match(r"^(?:と(?![しか])|ら)", after):
        return True  # the alias ends on the verb: パイプを曲げる|と割れる
    return bool(_JA_CONDITIONAL.match(after) or _JA_SEEKER_DOES.match(after))


_ACTION_NOUN = re.compile(
    r"^の(?:[一-龥ァ-ヺー]{0,4}?)(?:製作|製造|作成|設計|加工|修理|修正|メンテ|改造|再生|研磨|仕上|組立|組み立|調整)"
)


def belongs_to(text: str, end: int) -> bool:
    """A made thing followed by の and a plain noun (治具のベースプレート, 金型の部品) names what the part belongs
    to; 金型の設計製作 / 治具の修理 keep the making."""
    nxt = text[end : end + 12]
    return nxt.startswith("の") and not _ACTION_NOUN.match(nxt)


_SENTENCE_END = re.compile(r"[。｡！？!?\n]|\.(?:\s|$)")


def opening_products(text: str, start: int, proc_spans: list[tuple[int, int, bool]]) -> bool:
    """The mention is in the profile's first sentence and that sentence names only made things (no other
    process): "Coil springs — compression, extension and torsion", "Steel structures, stair frames …"."""
    m = _SENTENCE_END.search(text)
    end = m.start() if m else len(text)
    if start >= end or start > 40 or re.search(r"\bfor\b|向け|用の?$", text[:start], re.I):
        return False  # "dies for automotive stampings": the customers' parts
    return all(made for a, _b, made in proc_spans if a < end)


_TOOL_AFTER = re.compile(
    r"^\s+(?:punches|dies|tools|tooling|moulds|molds|inserts|electrodes|fixtures|jigs|rolls)\b",
    re.I,
)


def names_a_tool(text: str, end: int) -> bool:
    """An English process word right before a plural tool noun names the tools' use ("stamping punches",
    "forging dies", "welding fixtures"), not a step ("grinding mold plates" keeps grinding: the plates are
    ground)."""
    return bool(_TOOL_AFTER.match(text[end : end + 16]))


_TOOL_WORDS = re.compile(
    r"金型|プレス型|パンチ|ダイス|刃物|切削工具|工具|\b(?:punch|punches|dies|die|moulds?|molds?|tooling|"
    r"cutting\s+tools?|cutters?|blades?|inserts?|knife|knives)\b",
    re.I,
)


def tool_material(text: str) -> bool:
    """The need is about a tool or die (read its outcomes for tool steel when it names no material)."""
    return bool(_TOOL_WORDS.search(text))


_PRODUCT_AFTER = re.compile(
    r"^(?:カバー|ケース|部品|パーツ|筐体|ブラケット|フレーム|製品|品(?!質)|物(?!性)|\s+(?:parts?|covers?|brackets?|frames?|"
    r"housings?|panels?|cases?|boxes|components?|pieces?|enclosures?)\b)",
    re.I,
)


def product_after(text: str, end: int) -> bool:
    """A process word right before a product noun (板金カバー, "machined parts"): in a need that states a problem
    it names the part that has the problem, not a step to buy."""
    return bool(_PRODUCT_AFTER.match(text[end : end + 14]))


_TOOL_NOUN = re.compile(
    r"^(?:end\s?mills?|drills?|reamers?|taps|cutters?|hobs?|broach(?:es)?|saw\s+blades?|knives|blades?|punch(?:es)?|"
    r"エンドミル|ドリル|リーマ|リーマー|タップ|ホブ|刃物|カッター|パンチ)$",
    re.I,
)
_SHARPEN = re.compile(r"sharpen|re-?grind|re-?ground|re-?sharpen|再研磨|再研削|研ぎ|刃付け", re.I)


def sharpened_tool(text: str, clause: tuple[int, int], start: int, end: int) -> bool:
    """A cutting tool named where the clause sharpens or regrinds tools (end mills, drills, エンドミル) is the
    work piece, not milling or drilling."""
    return bool(_TOOL_NOUN.match(text[start:end].strip()) and _SHARPEN.search(text[clause[0] : clause[1]]))


_EQUIPMENT_AFTER = re.compile(
    r"^(?:\s+(?:robots?|lines?|consumables|wheels?|abrasives?|supplies|furnaces?|ovens?|torch(?:es)?|electrodes?|rods|"
    r"wires?|guns?|equipment|machinery|machines?|systems?|booths?)\b|ロボット|ライン|剤|布|炉|機械|装置|消耗品|トーチ|機(?!能)|"
    r"設備|材)",
    re.I,
)
_TRADE_CUE = re.compile(
    r"販売|向け|用|修理|メンテ|メーカー|代理店|商社|卸|\b(?:sell\w*|sold|service|servicing|repair\w*|dealers?|"
    r"distribut\w*|makers?|manufacturers?|supplier)\b",
    re.I,
)


def equipment_for_trade(text: str, clause: tuple[int, int], start: int, end: int) -> bool:
    """A process word that names a machine, line or consumable (溶接機, 研磨剤, 熱処理炉, "welding robots",
    "plating lines") in a clause about selling, servicing or supplying them, or after "for": the trade's
    equipment, not work done here ("a small painting booth for touch-up" is still painting)."""
    word = text[start:end]
    if not (_EQUIPMENT_AFTER.match(text[end : end + 16]) or re.search(r"(?:機|機械|装置|machines?)$", word, re.I)):
        return False
    if _TRADE_CUE.search(text[clause[0] : clause[1]]):
        return True
    return bool(re.search(r"\bfor\s+(?:[^\s,.;]+[\s,]+){0,5}$", text[max(clause[0], start - 50) : start], re.I))


def object_in_clause(
    text: str, clause: tuple[int, int], start: int, end: int, latin: bool, profile: bool, problem: bool, code: str
) -> bool:
    """The mention at text[start:end] names an object, not a step done (profiles) or asked for (needs)."""
    if not profile and problem and product_after(text, end):
        return True  # 板金カバーの角が鋭い, "the anodised parts fade": the part with the problem
    if profile and latin and product_after(text, end) and re.search(
        r"\b(?:of|for|into)\s+$", text[max(clause[0], start - 8) : start], re.I
    ):
        return True  # "assembly of sheet metal enclosures": the things assembled
    if equipment_for_trade(text, clause, start, end):
        return True  # 溶接機の販売, "parts for plating lines": the trade's machines, not work done here
    if sharpened_tool(text, clause, start, end):
        return True  # "regrinding of end mills and drills", エンドミルの再研磨: the tools are the work
    if latin and code not in MADE_CODES and names_a_tool(text, end):
        return True  # "stamping punches", "forging dies": the tools' use
    if profile:
        # "blasting before painting", "we grind parts after heat treatment": the step around this shop's work
        return (latin and not self_clause(text, clause)  # "… after machining in our own shop" keeps machining
                and bool(re.search(r"\b(?:before|after|prior\s+to|ahead\s+of)\s+(?:the\s+)?$",
                                   text[max(clause[0], start - 20) : start], re.I)))
    if latin:
        return need_history_en(text, start, end, clause[0])  # "an old cast part", "the logo printed on"
    return need_condition_ja(text[end - 1 : end], unicodedata.normalize("NFKC", text[end : end + 12]))
