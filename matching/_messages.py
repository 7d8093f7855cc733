"""Every sentence the matcher writes for people (match reasons, chain and team reasons), in one table.

matching/ is a pure library (no Flask, no gettext), so its prose lives here rather than in a catalogue:
translators edit this one table. Each key maps to its Japanese and English text with named ``str.format``
placeholders; both languages of a key use the same placeholders (``tests/matching/test_messages.py`` checks it).
Fragments that start with a space or a bracket are appended to a label as they are.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("ja", "en")

MESSAGES: Mapping[str, Mapping[str, str]] = {
    # -- match reasons (MatchIndex.match, partners_for, needs_for) -----------------------------------------
    "from_source": {"ja": " ('{source}' より)", "en": " (from '{source}')"},
    "inferred_from": {"ja": "［「{source}」から推定］", "en": " [inferred from '{source}']"},
    "and_others": {"ja": " など", "en": " etc."},
    "close_from_source": {"ja": "（近い: {near} ('{source}' より)）", "en": " (close: {near} from '{source}')"},
    "close": {"ja": "（近い: {near}）", "en": " (close: {near})"},
    "covers_steps": {"ja": "{covered}/{total} 工程に対応", "en": "Covers {covered}/{total} steps"},
    "covers_steps_list": {
        "ja": "{covered}/{total} 工程に対応: {items}",
        "en": "Covers {covered}/{total} steps: {items}",
    },
    "missing_steps": {"ja": "未対応: {items}", "en": "Missing: {items}"},
    "materials": {"ja": "材質: {items}", "en": "Material: {items}"},
    "distance": {"ja": "{km:.1f} km", "en": "{km:.1f} km"},
    "distance_approx": {"ja": "約{km:.1f} km", "en": "about {km:.1f} km"},
    "lot_fits": {"ja": "ロット {quantity} 個: 対応範囲 ({lot_range})", "en": "Lot {quantity} fits ({lot_range})"},
    "lot_outside": {"ja": "ロット {quantity} 個: 範囲外 ({lot_range})", "en": "Lot {quantity} outside ({lot_range})"},
    "track_record": {"ja": "実績評価 {rate:.0%}", "en": "Track record {rate:.0%}"},
    "description_matches": {"ja": "説明文がニーズに近い", "en": "Description matches the need"},
    # -- chain reasons (plan_chain) -------------------------------------------------------------------------
    "chain_same_workshop": {
        "ja": "前の工程と同じ工場で続けて加工（受け渡しが1回減る。経路 {extra}、最短の10%以内）",
        "en": "Stays in the same workshop as the step before (one hand-off less; route {extra}, within 10 %)",
    },
    "chain_better_track": {
        "ja": "実績評価が高い {mine:.0%}（経路 {extra}、最短の10%以内）",
        "en": "Better track record ({mine:.0%}; route {extra}, within 10 %)",
    },
    "chain_better_track_than": {
        "ja": "実績評価が高い {mine:.0%}（最短経路の工場は {other:.0%}）（経路 {extra}、最短の10%以内）",
        "en": "Better track record ({mine:.0%} vs {other:.0%}; route {extra}, within 10 %)",
    },
    "chain_fewer_handoffs": {
        "ja": "受け渡しの少ない経路の一部（経路 {extra}、最短の10%以内）",
        "en": "Part of a route with fewer hand-offs (route {extra}, within 10 %)",
    },
    # -- team reasons (suggest_teams) -----------------------------------------------------------------------
    "team_covers": {
        "ja": "{total} 工程中 {covered} 工程を分担",
        "en": "Together they cover {covered} of {total} steps",
    },
    "team_spread": {"ja": "メンバー間の距離は最大 {km:.1f} km", "en": "Members at most {km:.1f} km apart"},
    "team_location_unknown": {"ja": "所在地不明のメンバーを含む", "en": "Some members' location is unknown"},
    "team_farthest": {
        "ja": "ニーズの場所から最も遠いメンバーまで {km:.1f} km",
        "en": "Farthest member {km:.1f} km from the place of the need",
    },
    "team_track_record": {"ja": "実績評価 {name} {rate:.0%}", "en": "Track record {name} {rate:.0%}"},
    "team_still_missing": {"ja": "未対応: {items}", "en": "Still missing: {items}"},
}


def message(key: str, lang: str, **values: object) -> str:
    """The message ``key`` in ``lang`` ("en" gives English, anything else Japanese), filled with ``values``."""
    texts = MESSAGES[key]
    return texts["en" if lang == "en" else "ja"].format(**values)
