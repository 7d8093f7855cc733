"""The prose benchmark's arithmetic (bench/prose.py) on tiny hand-made examples: relevance derived from truth,
extraction precision / recall, halves discovery. Independent of the matcher's quality."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from bench.common import ndcg_at_k
from bench.prose import annotate_needs, find_halves, read_capabilities, relevance, score_extraction

TRUTH = {
    # turns and anodises, aluminium; sends plating out
    "1": {
        "does": [["turning"], ["anodizing"]],
        "also_ok": ["machining"],
        "outsourced": ["plating"],
        "not_done": [],
        "materials": ["aluminium"],
        "lang": "ja",
    },
    # turns (any acceptable code of an entry counts), stainless only
    "2": {
        "does": [["swiss_turning", "turning"]],
        "also_ok": [],
        "outsourced": ["anodizing"],
        "not_done": [],
        "materials": ["stainless"],
        "lang": "ja",
    },
    # only hard anodizing (a partial of the anodizing step) and milling (partial of the turning step)
    "3": {
        "does": [["hard_anodizing"], ["milling"]],
        "also_ok": [],
        "outsourced": [],
        "not_done": [],
        "materials": [],
        "lang": "en",
    },
    # covers the turning step only through an excluded code
    "4": {"does": [["mill_turn"]], "also_ok": [], "outsourced": [], "not_done": [], "materials": [], "lang": "ja"},
    # nothing relevant; names anodizing only as not done
    "5": {
        "does": [["welding"]],
        "also_ok": [],
        "outsourced": [],
        "not_done": ["anodizing"],
        "materials": [],
        "lang": "en",
    },
}
NEED = {
    "id": "T1",
    "lang": "en",
    "text": "turned aluminium part, anodised",
    "steps": [
        {"full": ["turning", "swiss_turning", "mill_turn"], "partial": ["milling"]},
        {"full": ["anodizing"], "partial": ["hard_anodizing"]},
    ],
    "material": "aluminium",
    "excludes": ["mill_turn"],
    "style": "multi_step",
}


def test_relevance_grades_follow_the_spec():
    rel = relevance(NEED, TRUTH)
    # 1: full code for every step + material -> 3; 2: only step 1 (anodizing is outsourced) -> 1;
    # 3: every step by partial codes -> 1; 4: mill_turn is excluded -> no credit; 5: not_done never counts
    assert rel == {"1": 3, "2": 1, "3": 1}
    no_mat = dict(NEED, material=None, steps=NEED["steps"][:1], excludes=[])
    assert relevance(no_mat, TRUTH) == {"1": 3, "2": 3, "3": 1, "4": 3}
    steel = dict(no_mat, material="steel")
    assert relevance(steel, TRUTH) == {"1": 2, "2": 2, "3": 1, "4": 2}


def test_relevance_feeds_ndcg_and_cross_language():
    (ann,) = annotate_needs([NEED], TRUTH)
    assert ann["relevance"] == {"1": 3, "2": 1, "3": 1}
    assert ann["cross_language"] is True  # en need, its only grade>=2 factory wrote Japanese
    assert ndcg_at_k([1, 2, 3], ann["relevance"]) == pytest.approx(1.0)
    assert ndcg_at_k([5, 4], ann["relevance"]) == 0.0
    (ann_ja,) = annotate_needs([dict(NEED, lang="ja")], TRUTH)
    assert ann_ja["cross_language"] is False


def test_extraction_precision_recall_and_outsourced_count():
    extracted = {
        # right: turning, machining (also_ok); wrong: plating (outsourced -> also counted); anodizing missed
        "1": ({"turning", "machining", "plating"}, {"aluminium", "steel"}),
        # swiss_turning satisfies the entry; anodizing is outsourced -> read as done
        "2": ({"swiss_turning", "anodizing"}, {"stainless"}),
        "3": (set(), set()),
        "4": ({"mill_turn"}, set()),
        # factory 5 is not read at all (absent from the dict)
    }
    s = score_extraction(extracted, TRUTH)
    assert (s["correct"], s["extracted"]) == (4, 6)  # turning, machining, swiss_turning, mill_turn of 6
    assert s["precision"] == pytest.approx(4 / 6)
    assert (s["does_found"], s["does_entries"]) == (3, 7)  # turning, swiss/turning, mill_turn of 7 entries
    assert s["recall"] == pytest.approx(3 / 7)
    assert (s["outsourced_read"], s["outsourced_total"]) == (2, 3)
    assert s["material_precision"] == pytest.approx(2 / 3) and s["material_recall"] == pytest.approx(2 / 2)
    assert s["per_factory"]["1"]["wrong"] == ["plating"] and s["per_factory"]["1"]["missed"] == [["anodizing"]]
    assert s["per_factory"]["5"]["missed"] == [["welding"]]
    empty = score_extraction({}, {})
    assert empty["precision"] is None and empty["recall"] is None


def test_halves_found_whatever_exists(tmp_path):
    for half in ("heldout", "dev", "zz_extra", "incomplete"):
        (tmp_path / half).mkdir()
        names = (
            ("factories.json", "truth.json") if half == "incomplete" else ("factories.json", "truth.json", "needs.json")
        )
        for f in names:
            (tmp_path / half / f).write_text(json.dumps([]), encoding="utf-8")
    assert find_halves(tmp_path) == ["dev", "heldout", "zz_extra"]
    assert find_halves(tmp_path / "missing") == []


def test_read_capabilities_prefers_profile_reading_and_drops_hints():
    item = lambda code, evidence=None: SimpleNamespace(code=code, evidence=evidence)  # noqa: E731
    caps = SimpleNamespace(
        processes=[item("turning", "inferred"), item("additive_manufacturing", "hint")], materials=[item("MAT:steel")]
    )

    class Reading:
        def profile_reading(self, fid):
            return SimpleNamespace(capabilities=caps)

        def profile_capabilities(self, fid):
            raise AssertionError("profile_reading must be preferred")

    assert read_capabilities(Reading(), 1) == ({"turning"}, {"steel"})


def test_read_capabilities_on_the_real_index():
    from matching import FactoryProfile, MatchIndex

    index = MatchIndex.build([FactoryProfile(id=1, name="テスト製作所", description="ＮＣ旋盤加工。アルミ。")])
    procs, mats = read_capabilities(index, 1)
    assert all(isinstance(c, str) and not c.lower().startswith("mat:") for c in procs | mats)
