"""Outcome-worded needs: a problem read for the material the need names (family or finer material code)."""

from __future__ import annotations

import pytest

from matching import Normaliser


def _inferred(normaliser: Normaliser, text: str) -> dict[str, float]:
    ex = normaliser.extract(text)
    return {r.code: r.confidence for r in ex.processes if r.via == "outcome"}


def _best(conf: dict[str, float]) -> str:
    return max(conf, key=lambda c: (conf[c], c))


def test_wear_on_tool_steel_reads_as_coating_not_anodising(normaliser: Normaliser):
    # tool_steel is in the steel family; the outcome's by_material entry for the material code itself applies
    conf = _inferred(normaliser, "Our SKD11 punches keep chipping and wear out quickly.")
    assert _best(conf) == "thin_film_coating"
    assert conf["vacuum_hardening"] > conf.get("hard_anodizing", 0.0)


def test_lightweight_in_carbon_fibre_reads_as_frp(normaliser: Normaliser):
    conf = _inferred(normaliser, "The gripper finger is too heavy, could it be made in carbon fibre?")
    assert _best(conf) == "frp_molding"


@pytest.mark.parametrize(
    "text",
    [
        "The brass knobs go brown after a few months.",
        "真鍮のつまみが茶色くなる。",
        "We want the brass handles to stay shiny.",
    ],
)
def test_tarnish_on_copper_alloys_reads_as_plating(normaliser: Normaliser, text: str):
    conf = _inferred(normaliser, text)
    assert _best(conf) == "nickel_plating"


@pytest.mark.parametrize(
    "text",
    [
        "The rail needs a low-friction surface.",
        "アルミのスライド部品、もっと滑りを良くしたい。",
        "We want the slider to slide smoothly.",
    ],
)
def test_friction_vocabulary(normaliser: Normaliser, text: str):
    assert "fluororesin_coating" in _inferred(normaliser, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The copper busbar contacts need better electrical contact and conductivity.", "precious_metal_plating"),
        ("銅の端子の接触抵抗を下げたい。", "precious_metal_plating"),
        ("The aluminium bracket must be electrically insulated from the frame.", "hard_anodizing"),
        ("アルミのベース板を絶縁したい。", "hard_anodizing"),
        ("The bearing seat is too loose and the shaft wobbles.", "grinding"),
        ("軸がガタつくので何とかしたい。", "grinding"),
        ("The tank seeps at the corners and water gets in.", "welding"),
        ("箱にエア漏れがある。", "ndt"),
        ("We can't afford the tooling cost for 30 covers.", "urethane_casting"),
    ],
)
def test_problem_vocabulary(normaliser: Normaliser, text: str, expected: str):
    assert expected in _inferred(normaliser, text)


def test_outcome_words_never_tag_a_factory(normaliser: Normaliser):
    ex = normaliser.extract("導電性と絶縁性の部品を扱っています。", outcomes=False)
    assert ex.processes == []


def test_a_state_after_a_step_is_the_parts_history(normaliser: Normaliser):
    # "look dull after machining": like 切削後, the machining is what happened to the part, not a step to buy
    ex = normaliser.extract("Our titanium parts look dull and blotchy after machining. We want a satin look.")
    assert "machining" in ex.context
    assert "blasting" in {r.code for r in ex.processes}
    seq = normaliser.extract("Please anodize the brackets after machining them.")
    assert {"anodizing", "machining"} <= {r.code for r in seq.processes}
    assert "machining" not in seq.context


def test_a_shop_that_finishes_after_machining_still_machines(normaliser: Normaliser):
    ex = normaliser.extract("Parts are deburred and anodised after machining in our own shop.", outcomes=False)
    assert "machining" in {r.code for r in ex.processes}
    assert "machining" not in ex.context
