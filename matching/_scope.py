"""Scope of a process mention inside its clause: done here, sent to partners, not done, or only the object.

General rules (both languages), applied to the clause that holds a mention:

* **Clauses** end at 。！？!? line breaks, ※, full-width spaces and semicolons; a 、 or comma ends a clause
  only when the piece before it is itself a clause (it holds a particle or ends in a verb form), so a
  coordinated list (焼入れ・研削、めっきは協力工場へ) stays one clause and the cue scopes over every item.
* **Outsourcing** (外注, 協力工場, 提携, 委託, 外部に依頼, …屋さんにお願い, "we outsource", "sent out",
  "done by partners", "not in-house"): every step named in the clause is bought from partners.
* **Negation** after the mention in a Japanese clause (対応不可, できません, 行っていません, しておらず, 作りたくない)
  or before it in an English clause ("we don't", "no …", "without", "do not machine or grind").
* **Object, not step**: removal (溶接焼けの除去, 塗装剥離, "removing weld discoloration"), a style (メッキ調),
  a purpose or time (成形用, めっき前, 切削後), a product (プレス品), a material state (焼入れ鋼).
"""

from __future__ import annotations

import re
import unicodedata

# --- clauses ------------------------------------------------------------------------------------------

_HARD_END = re.compile(r"[。｡！？!?\n\r※;；\u3000]|\.(?=\s|$)|\s[-–—]\s")
_SOFT_END = re.compile(r"[、､，,]")
_JA_CLAUSE_PIECE = re.compile(
    r"[はがをでにもへ](?![一-龥ァ-ヺ])|(?:[しりいちきみびぎけえ]|て|で|して|ており|おり|おらず|ず|ので|から|けど|"
    r"けれど|ども|が|ため|ながら|つつ|ば|たら|うえ|上)\s*$|[a-z]{3,}\s"
)
_EN_CLAUSE_START = re.compile(
    r"^\s*(?:but|while|whereas|although|though|however|and\s+(?:we|they|i|it|our|the\s+rest)|so|then|"
    r"we|our|they|i)\b",
    re.I,
)


_EN_TOPIC = re.compile(r"\s*(?:for|as\s+for|regarding|concerning|about)\s+[^,]{1,40}$", re.I)


def clauses(text: str) -> list[tuple[int, int]]:
    """Spans of the clauses of ``text`` (see the module doc)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _HARD_END.finditer(text):
        if m.start() > start:
            spans.extend(_soft_split(text, start, m.start()))
        start = m.end()
    if start < len(text):
        spans.extend(_soft_split(text, start, len(text)))
    return spans


def _soft_split(text: str, a: int, b: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = a
    for m in _SOFT_END.finditer(text, a, b):
        piece = text[start : m.start()]
        rest = text[m.end() : b]
        if piece.isascii() or not piece.strip():
            ends = bool(_EN_CLAUSE_START.match(rest)) if piece.isascii() else False
            if ends and _EN_TOPIC.match(text, start, m.start()):
                ends = False  # "For welding, we refer customers to a neighbour": the topic of that clause
        else:
            ends = bool(_JA_CLAUSE_PIECE.search(piece))
        if ends:
            out.append((start, m.start()))
            start = m.end()
    out.append((start, b))
    return out


def clause_of(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for a, b in spans:
        if a <= pos < b:
            return a, b
    return pos, pos


# --- cues -----------------------------------------------------------------------------------------------

_JA_OUT = re.compile(
    r"外注|協力(?:工場|会社|企業|先|業者|メーカー)|提携|委託|外部(?:に|へ|で|の|委託)|業者|屋さん|他社|"
    r"(?:に|へ|さん)(?:お願い|依頼|頼|任せ|出し|発注|手配)|手配|付き合い|パートナー|お客様(?:から|の)?(?:支給|手配)|"
    r"ご?支給|仲間の(?:工場|会社|業者)|仲間(?:まわし|回し)|仲間に|"
    # referring the work on, or buying the step's result in: 紹介する, 知り合いの工場, 仕入れ, 取り寄せ, 購入
    r"(?<![社己品])紹介(?:する|します|して|いた|致|の形|しており)|知り合い|知人の|近所の(?:工場|会社|業者)|"
    r"(?:さん|業者|工場|会社|メーカー|先|職|師|屋)(?:から|より)[^、。]{0,10}(?:仕入|取り寄せ|購入|買)|"
    r"グループ会社|関連会社|取引先(?:で|に|へ|さん|様)|別会社|別の(?:会社|工場)|専門(?:メーカー|工場|会社|店)(?:へ|に|で(?!す)|さん|と)|(?:工場|会社|業者|メーカー)と連携|"
    r"outsourc|not\s+in[- ]house|sent\s+out|by\s+partners"
)
_JA_SELF = re.compile(r"自社|社内|内製|当社(?:に|で)|弊社(?:に|で)|自前|一人で|自分で")
_JA_NEG = re.compile(
    r"(?:し|いたし|致し|でき|出来|行っており|行ってい|やってい|やっており|しており|してい|扱ってい|扱っており|"
    r"対応してい|対応しており|請け負ってい|受けてい|承ってい|致しており|いたしており|作りたく|したく|作ら|やら|扱わ|"
    r"行わ|請け負わ|受け付けてい|受けつけてい)(?:ません|ない|なく)|おらず|(?:扱|行|や|対応し|し|請け負)わ?ず(?!つ)|"
    r"対応不可|不可|不対応|非対応|対応外|お断り|NG|ng|不要|いらない|要らない|たくない|できない|出来ない|しない|"
    r"ございません|行っていない|していない|対象外|ません(?!か|でしょう)|かねます|かねる|兼ねます|"
    r"(?<=[がはも])[^、。]{0,6}?[らかさたなまわがばけせてねべめれい]ない(?!で|と|よう|くても|ければ|限り)|"
    # the mention ends on a verb stem and the negative follows at once: 金型を作|らない, 研磨をし|ない
    r"^[らかさたなまわがばれけせてめべしきりいちみびぎじ]?(?:ない|なく|ません|ず(?!つ))(?!で|と|よう|くても|ければ|限り)|"
    r"断っ|断り|断る|持っていない|持ってない|持っておらず|設備が?ない|設備はない|"
    r"休止|やめ(?:まし|た|て)|止めました|廃止|撤退|終了しました|"
    # not yet: planned, being considered
    r"予定|検討中|検討して|計画中|準備中|導入を検討"
)
_JA_NEG_NOT = re.compile(
    r"問題(?:あり|ござい)ません|構いません|かまいません|差し支え|心配(?:あり|いり)ません|限りません|"
    r"かもしれません|少なくない|ないで|なくても|なければ|ないように|ない限り"
)
_JA_ONLY = re.compile(r"^[^、。]{0,4}?しか(?!ね|け)")
_JA_NOT_THIS = re.compile(r"^(?:加工|処理)?(?:で|じゃ)は?なく|^(?:加工|処理)?以外(?:で|の方法)")

_EN_OUT = re.compile(
    r"\b(?:outsourc\w*|sub-?contract\w*|sen[dt]s?\s+(?:\w+\s+)?out|farm(?:ed|s)?\s+out|partner\w*|"
    r"third[- ]part(?:y|ies)|externally|other\s+shops?|come\s+from|arranged\s+(?:with|through|by)|"
    r"leaves?\s+(?:it\s+|them\s+|that\s+)?to\s+(?:a|an|the|our)|left\s+to\s+(?:a|an|the|our)|"
    r"taken\s+care\s+of\s+by|looked\s+after\s+by|off-?site|"
    r"(?:done|made|handled|carried\s+out|performed)\s+(?:outside|externally|elsewhere)|"
    r"done\s+(?:by|through|elsewhere|at)|work\s+with|through\s+(?:a|our)\s+\w+|not\s+in[- ]house|"
    r"sent\s+to|go(?:es)?\s+(?:out\s+)?to\s+(?:our|a|an|the|local|nearby|trusted|another)|neighbou?r\w*|"
    r"introduce\s+(?:you\s+to|a\s+friend|partners?|another|other)|refer(?:s|red|ring)?\s+(?:it|them|you|customers|to)|"
    r"handled\s+by|we\s+buy|buy\s+in|bought\s+in|(?:bought|purchased)\s+from|buy\s+(?:\w+\s+){0,3}from|"
    r"coordinat\w*(?!\s+measur)|friends?\b|specialists?\s+(?:nearby|next\s+door)|"
    r"sister\s+compan(?:y|ies)|outside\s+(?:vendors?|suppliers?|shops?|compan(?:y|ies))|contract(?:ed)?\s+out|"
    r"we\s+(?:can\s+)?arrange)\b",
    re.I,
)
_EN_NEG = re.compile(
    r"\b(?:do\s+not|don't|dont|does\s+not|doesn't|cannot|can't|can\s+not|no|not|never|without|neither|nor|"
    r"except|excluding|unable\s+to|won't|will\s+not|no\s+longer|used\s+to|stopped|apart\s+from|other\s+than|"
    r"plan(?:s|ning)?\s+to|considering|hope\s+to|not\s+yet)\b",
    re.I,
)
_EN_NEG_NOT = re.compile(
    r"\b(?:not\s+only|not\s+just|no\s+(?:minimum|problem|matter|more\s+than|less\s+than|drawings?)|"
    r"without\s+(?:a\s+)?drawings?|no\s+mold\s+needed)\b",
    re.I,
)


_EN_PAST_AFTER = re.compile(
    r"^[^,.;]{0,12}\b(?:we\s+)?used\s+to\b|\b(?:was|were|has\s+been|have\s+been)\s+(?:discontinued|stopped|"
    r"dropped|closed)|\bline\s+(?:was\s+)?closed\b",
    re.I,
)


# the shop describes itself as someone's partner (研削盤メーカーの協力工場として組立を担当): no work is sent out
_JA_SELF_PARTNER = re.compile(
    r"(?:協力工場|協力会社|協力企業|下請け?|外注先)として|の(?:協力工場|協力会社|協力企業|下請け?)(?:です|を(?:して|務め))"
)
_JA_CUSTOMERS = re.compile(
    r"(?:屋|工場|業者|会社|メーカー)(?:さん|様)?(?:から|より)の?(?:お?仕事|ご?依頼|ご?注文|受注|ご?相談)"
)
_JA_PAST_BEFORE = re.compile(r"以前は|昔は|かつては|前は|当初は")
_JA_PAST_AFTER = re.compile(r"ていました|ておりました|ていた(?!だ)|でした")


def clause_role(
    text: str, clause: tuple[int, int], start: int, end: int, *, partners: bool = True
) -> str | None:
    """"outsourced", "negated" or None for the mention text[start:end] in its clause (``partners``: look
    for outsourcing cues at all; a need's "御社にお願いしたい" is not one)."""
    a, b = clause
    if a >= b:
        return None
    whole = text[a:b]
    after = unicodedata.normalize("NFKC", text[end:b])
    if whole.isascii() or text[start:end].isascii() and _ascii_share(whole) > 0.7:
        if partners and _en_outsourced(text, a, b, start, end):
            return "outsourced"
        if _EN_PAST_AFTER.search(text[end : min(b, end + 50)]):
            return "negated"  # "Zinc we used to do, but that line closed": no longer done
        before = text[max(a, start - 60) : start]
        for m in _EN_NEG.finditer(before):
            between = before[m.end() :]
            if _EN_NEG_NOT.match(before, m.start()) or len(between.split()) > 6:
                continue
            if re.search(r",|\b(?:but|instead|rather|maybe|prefer|only|so|just)\b", between, re.I):
                continue
            return "negated"
        return None
    if _JA_ONLY.match(after):
        return None  # 切削しかできません: "only machining"
    if _JA_CUSTOMERS.search(whole):
        return None  # めっき工場様からのご依頼が多い: customers, not partners
    if _JA_NOT_THIS.match(after):
        return "negated"  # めっきではなく塗装で
    if partners and _JA_OUT.search(unicodedata.normalize("NFKC", whole)) and not _JA_SELF_PARTNER.search(whole):
        return "outsourced"
    if _JA_PAST_BEFORE.search(text[a:start]) and _JA_PAST_AFTER.search(after):
        return "negated"  # 以前はめっきもやっていました: no longer done
    m = _JA_NEG.search(after)
    if m:
        tail = after[max(0, m.start() - 6) : m.end() + 4]
        if not _JA_NEG_NOT.search(tail):
            return "negated"
    return None


_EN_SELF = re.compile(r"\b(?:ourselves|in[- ]house|our own|we do|we handle|we make)\b", re.I)


def _en_outsourced(text: str, a: int, b: int, start: int, end: int) -> bool:
    """An English outsourcing cue close to the mention in its clause, with no "ourselves" / "in-house" between:
    "we send parts out for plating", "plating and painting are outsourced", "heat treatment via partners"."""
    if _EN_SELF.search(text[end : min(b, end + 25)]) and not re.search(r"\bnot\b|n't", text[a:start], re.I):
        return False  # "do the turning ourselves" (but "we do not cut kiriko ourselves but work with …")
    for m in _EN_OUT.finditer(text, a, b):
        if m.group(0).lower().startswith("not") and "house" in m.group(0).lower():
            between = text[m.end() : start] if m.end() <= start else text[end : m.start()]
        elif m.end() <= start:
            between = text[m.end() : start]
        elif m.start() >= end:
            between = text[end : m.start()]
        else:
            continue
        if len(between.split()) <= 8 and not _EN_SELF.search(between):
            return True
    return False


def _ascii_share(s: str) -> float:
    return sum(c.isascii() for c in s) / max(1, len(s))


def self_clause(text: str, clause: tuple[int, int]) -> bool:
    """The clause says the shop does it itself (自社, 社内, "in-house", "ourselves")."""
    whole = text[clause[0] : clause[1]]
    return bool(_JA_SELF.search(whole) or re.search(r"(?<!not )\bin[- ]house\b|\bourselves\b|our own", whole, re.I))


# --- the object, not the step ---------------------------------------------------------------------------

_JA_OBJECT_AFTER = re.compile(
    r"^(?:[一-龥ァ-ヺー]{0,3}の?(?:除去|取り|とり|落とし|おとし|剥離|剥がし|はがし|除け|よけ)"  # 溶接焼けの除去
    r"|調|風|用|向け|前|まえ|後|あと|済|品|物|もの|跡|痕|焼け|やけ|ビード|部品|製品|工具|構造(?!物))"
)
_JA_SHOP_AFTER = re.compile(r"^(?:屋|業者|メーカー|会社|工場|所)")
_JA_SHOP_OF = re.compile(r"^の(?:下請け?|協力工場|協力会社|仕事|外注先|お客様|顧客)")
_EN_OBJECT_BEFORE = re.compile(
    r"\bpre-?$|(?:already|remov(?:e|es|ing|al\s+of)|strip(?:s|ping)?|clean(?:s|ing)?(?:\s+up)?|get(?:ting)?\s+rid\s+of|"
    r"repair(?:s|ing)?\s+of)\s+(?:the\s+|any\s+|old\s+)?$",
    re.I,
)
# a need's state after a step ("look dull and blotchy after machining"): the part's history, as 切削後
_EN_STATE_AFTER = re.compile(
    r"\b(?:look|looks|looked|come\s+out|comes\s+out|came\s+out|is|are|get|gets|got|went|go|goes|turn|turns|turned)"
    r"\s+(?:\w+\s+){0,4}after\s+(?:the\s+)?$",
    re.I,
)


def object_only(text: str, start: int, end: int, need: bool = False) -> str | None:
    """"object" when the mention names the object or a state ("溶接焼けの除去", "メッキ調", "成形用",
    "めっき前", "プレス品", "removing weld discoloration"), "shop" when it names another shop (熱処理屋さん,
    "sheet metal shops"), else None."""
    after = unicodedata.normalize("NFKC", text[end : end + 12])
    if not text[start:end].isascii():
        if _JA_OBJECT_AFTER.match(after):
            return "object"
        m = _JA_SHOP_AFTER.match(after)
        # 熱処理屋さんにお願い, 型屋さんで: another shop; プレス屋です: this one
        shop = m and (re.match(r"^(?:さん|様|に|へ|から|で(?!す|ござ)|と|の方|向け)", after[m.end() :])
                      or _JA_SHOP_OF.match(after[m.end() :]))
        return "shop" if shop else None
    if _EN_OBJECT_BEFORE.search(text[max(0, start - 30) : start]):
        return "object"
    if need and _EN_STATE_AFTER.search(text[max(0, start - 60) : start]):
        return "object"
    if re.search(r"(?:shops?|ery|ries|ers)$", text[start:end], re.I) and re.search(
        r"\b(?:for|to|from|with|by|other|local|partner|neighbou?ring|nearby|customers?|clients?|include|including|"
        r"serve|serving|such\s+as)\s+(?:\S+\s+){0,2}$",
        text[max(0, start - 40) : start],
        re.I,
    ):
        return "shop"  # "for local machine shops": the customers, not this shop
    if re.match(r"^\s+(?:shops?|compan(?:y|ies)|firms?|makers?|manufacturers?|plants?|factor(?:y|ies)|workshops|"
                r"suppliers|vendors|houses)\b", text[end : end + 20], re.I) and (
        re.search(r"\b(?:to|from|with|by|other|local|partner|neighbou?ring|nearby|supply|supplies|serve|serving|"
                  r"customers?|clients?|include|including)\s+(?:\S+\s+){0,3}$",
                  text[max(0, start - 40) : start], re.I)
    ):
        return "shop"
    return None


# made things: a bare noun for a thing (金型, 治具, 家具, ばね, gears) is the capability only when the clause says
# the shop makes / designs it ("金型は自社で設計・製作"); "金型、切削工具の耐摩耗に" names the customer's parts
MADE_CODES = frozenset(
    "mold_making press_die injection_mold_making jig_making spring_making gear_cutting fabrication".split()
)
_ACTION_IN_WORD = re.compile(
    r"製|作|加工|切|設計|削|研|成形|修理|メンテ|making|cutting|manufactur|design|forming|building|repair|hobbing|shaping",
    re.I,
)
_MAKE = re.compile(
    r"製作|製造|作り|作っ|作る|作れ|作成|設計|造り|造っ|修理|修正|メンテ|直し|直す|手掛|手がけ|加工|切り|削|"
    r"\b(?:make|makes|making|made|build|builds|building|built|design|designs|designing|repair\w*|produce\w*)\b",
    re.I,
)


# products named by their process (鋳物, "castings", "stampings"): made here only when the clause says so
_MADE_NOUNS = re.compile(
    r"^(?:家具|看板|鋳物|furniture|signs?|signboards?|castings|stampings|pressings|moldings|mouldings)$", re.I
)


def made_thing(code: str, source: str) -> bool:
    """A bare noun for a made thing (no action in the word itself)."""
    if _ACTION_IN_WORD.search(source):
        return False
    return code in MADE_CODES or bool(_MADE_NOUNS.match(source.strip()))


_COORD_AFTER = re.compile(r"^[^、。,.;]{0,3}?(?:と|や|及び|および|・|､)[、,]?")
_SELF_SHOP_AFTER = re.compile(
    r"^(?:屋|工場|メーカー|製作所)(?:です|でございます|として|を営|一筋|歴|を(?:して|やって))"
)


def makes_in_clause(text: str, clause: tuple[int, int], start: int, end: int) -> bool:
    """The clause says the shop makes the thing: a making verb after it (up to a comma, or past it when the
    thing is one item of a coordinated list: プレス型と、射出の型も作ります), or just before it; or the shop
    names itself after it (金型屋です)."""
    rest = text[end : clause[1]]
    if _SELF_SHOP_AFTER.match(rest):
        return True
    after = re.split(r"[。.;]", rest, maxsplit=1)[0] if _COORD_AFTER.match(rest) else re.split(
        r"[、。,.;]", rest, maxsplit=1
    )[0]
    return bool(_MAKE.search(after) or _MAKE.search(text[clause[0] : start][-25:]))


_EN_SELF_DOER = re.compile(r"\b(?:we|i)(?:'ll|\s+will|\s+can|\s+then|\s+do|\s+plan\s+to)?\s+$", re.I)


def seeker_does_it(text: str, start: int) -> bool:
    """A need says the seeker does this step ("before we machine them"): not a step to find a shop for."""
    return bool(_EN_SELF_DOER.search(text[max(0, start - 20) : start]))
