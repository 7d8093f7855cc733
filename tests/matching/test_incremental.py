"""An index kept current in place equals a fresh build: random sequences of profile edits, ratings, organisers'
aliases, deletions, hidings and new factories, then the same rankings, scores, reasons and internal statistics
(credit rows, readings, TF-IDF counts, idf and norms) as ``MatchIndex.build`` over the resulting profiles."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from bench.common import load_json, to_profile
from matching import FactoryProfile, MatchIndex, NeedQuery, fold

FACTORIES = [to_profile(r) for r in load_json("eval_factories.json")[:140]]
NEEDS = [n["text"] for n in load_json("eval_needs.json")[::6]]
QUERIES = [NeedQuery(text=t) for t in NEEDS] + [
    NeedQuery(text="ぐるぐる回しで部品を作りたい"),
    NeedQuery(processes=("MC加工", "アルマイト"), ward="ota", quantity=50),
    NeedQuery(text="SUS304 ブラケット 溶接 と 塗装", lat=35.56, lon=139.72),
    NeedQuery(materials=("アルミ",), text="短納期"),
    NeedQuery(text="ひっぱり曲げ bending of frames"),
]
# Terms organisers map in the tests: words some profiles get written with (made up, so only aliases resolve them).
ALIASES = {"ぐるぐる回し": ("process", "turning"), "ひっぱり曲げ": ("process", "bending"),
           "ぴかぴか仕上げ": ("process", "polishing"), "あかがね": ("material", "copper")}


def _text_of(p: FactoryProfile) -> str:
    return fold(" ".join((*p.processes, *p.materials, *p.equipment, p.description)))


def _mutate(rng: random.Random, p: FactoryProfile, pool: list[FactoryProfile]) -> FactoryProfile:
    """A profile edit: words, lists, place, lot range or the owner's decisions change."""
    other = rng.choice(pool)
    choice = rng.randrange(6)
    if choice == 0:
        return replace(p, description=other.description + rng.choice(["", "短納期対応。", " Quick quotes."]))
    if choice == 1:
        return replace(p, processes=other.processes + ((rng.choice(list(ALIASES)),) if rng.random() < 0.5 else ()))
    if choice == 2:
        return replace(p, materials=other.materials, equipment=other.equipment)
    if choice == 3:
        return replace(p, lat=(p.lat or 35.6) + rng.uniform(-0.02, 0.02), lon=other.lon, ward=other.ward)
    if choice == 4:
        return replace(p, lot_min=rng.choice([None, 1, 10]), lot_max=rng.choice([None, 100, 5000]))
    codes = ("milling", "turning", "welding", "anodizing")
    return replace(p, rejected=(rng.choice(codes),), confirmed=(rng.choice(codes),))


def _run(seed: int, steps: int):
    """Random operations applied to an index in place; gives it with the profiles and aliases it should hold."""
    rng = random.Random(seed)
    profiles = {p.id: p for p in FACTORIES[:100]}
    hidden: dict[int, FactoryProfile] = {}
    aliases: dict[str, tuple[str, str]] = {}
    index = MatchIndex.build(sorted(profiles.values(), key=lambda p: p.id))
    next_id = 1000
    for _ in range(steps):
        op = rng.choice(["edit", "edit", "edit", "rating", "alias", "delete", "hide", "unhide", "new"])
        ids = sorted(profiles)
        if op == "edit" and ids:
            fid = rng.choice(ids)
            profiles[fid] = _mutate(rng, profiles[fid], FACTORIES)
            index.update([profiles[fid]])
        elif op == "rating" and ids:
            fid = rng.choice(ids)
            profiles[fid] = replace(profiles[fid], track_record=round(rng.uniform(0, 1), 4))
            index.update([profiles[fid]])
        elif op == "alias":
            term = rng.choice(list(ALIASES))
            if term in aliases:
                del aliases[term]
            else:
                aliases[term] = ALIASES[term]
            touched = [p for p in profiles.values() if fold(term) in _text_of(p)]
            index.set_aliases(aliases, touched)
        elif op in ("delete", "hide") and ids:
            fid = rng.choice(ids)
            profile = profiles.pop(fid)
            if op == "hide":
                hidden[fid] = profile
            index.update(removed=[fid])
        elif op == "unhide" and hidden:
            fid = rng.choice(sorted(hidden))
            profiles[fid] = hidden.pop(fid)
            index.update([profiles[fid]])
        elif op == "new":
            template = rng.choice(FACTORIES)
            profiles[next_id] = replace(template, id=next_id, external_id=f"NEW-{next_id}")
            next_id += 1
            index.update([profiles[next_id - 1]])
    return index, profiles, aliases


def _text_state(index: MatchIndex, fid: int) -> tuple:
    text = index._text
    terms = {t: c for t, c in text.vocab.items()}
    names = {c: t for t, c in terms.items()}
    cols, weights = text._row_terms(index._row[fid])
    return (dict(zip([names[c] for c in cols.tolist()], weights.tolist(), strict=True)),
            int(text.norm2[index._row[fid]]))


def _assert_same_state(a: MatchIndex, b: MatchIndex) -> None:
    assert sorted(a._row) == sorted(b._row)
    assert a.unresolved_terms == b.unresolved_terms
    assert a._text.n_docs == b._text.n_docs == len(b._row)
    df_a = {t: int(a._text.df[c]) for t, c in a._text.vocab.items() if a._text.df[c] > 0}
    df_b = {t: int(b._text.df[c]) for t, c in b._text.vocab.items() if b._text.df[c] > 0}
    assert df_a == df_b
    assert {t: a._text.idf[a._text.vocab[t]] for t in df_a} == {t: b._text.idf[b._text.vocab[t]] for t in df_b}
    for fid in b._row:
        ra, rb = a._row[fid], b._row[fid]
        assert np.array_equal(a._credit[ra], b._credit[rb])
        assert np.array_equal(a._material_credit[ra], b._material_credit[rb])
        assert a._has_materials[ra] == b._has_materials[rb]
        for name in ("lat", "lon", "lot_min", "lot_max", "track"):
            assert np.array_equal(getattr(a, name)[ra], getattr(b, name)[rb], equal_nan=True), name
        assert a.profile_reading(fid) == b.profile_reading(fid)
        assert a.profile_capabilities(fid) == b.profile_capabilities(fid)
        assert a.names[ra] == b.names[rb] and a.external_ids[ra] == b.external_ids[rb]
        assert _text_state(a, fid) == _text_state(b, fid)
        for code in ("milling", "turning", "welding", "anodizing", "hardening", "grinding"):
            assert a.does(fid, code) == b.does(fid, code)
    for code in ("milling", "turning", "welding", "anodizing", "hardening"):
        assert sorted(a.ids[a.capable_rows(code)]) == sorted(b.ids[b.capable_rows(code)])


def _assert_same_answers(a: MatchIndex, b: MatchIndex) -> None:
    for query in QUERIES:
        for lang in ("ja", "en"):
            assert a.match(query, limit=25, lang=lang) == b.match(query, limit=25, lang=lang), query
    some = sorted(b._row)[:: max(1, len(b._row) // 6)]
    for fid in some:
        assert a.partners_for(fid, ["milling", "anodizing", "welding"], limit=5) == \
            b.partners_for(fid, ["milling", "anodizing", "welding"], limit=5)
        needs = list(enumerate(QUERIES))
        assert a.needs_for(fid, needs, limit=5) == b.needs_for(fid, needs, limit=5)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_changes_in_place_equal_a_fresh_build(seed):
    index, profiles, aliases = _run(seed, steps=60)
    fresh = MatchIndex.build(sorted(profiles.values(), key=lambda p: p.id), extra_aliases=aliases or None)
    _assert_same_state(index, fresh)
    _assert_same_answers(index, fresh)


def test_the_replaced_rows_merge_into_the_base_and_still_equal_a_build(monkeypatch):
    """Past MERGE_ROWS replaced rows the text index folds them into a new base matrix: still the same answers."""
    from matching import _store

    monkeypatch.setattr(_store, "MERGE_ROWS", 5)
    index, profiles, aliases = _run(7, steps=40)
    assert len(index._text._delta) <= 5
    fresh = MatchIndex.build(sorted(profiles.values(), key=lambda p: p.id), extra_aliases=aliases or None)
    _assert_same_state(index, fresh)
    _assert_same_answers(index, fresh)


def test_an_edit_changes_the_answer_and_a_removed_factory_is_never_ranked():
    """The control: the comparison above would notice a stale row (an index that ignores updates differs)."""
    profiles = FACTORIES[:60]
    index = MatchIndex.build(profiles)
    stale = MatchIndex.build(profiles)
    target = profiles[5]
    edited = replace(target, processes=("ワイヤーカット",), description="ワイヤー放電加工の専門工場です。",
                     materials=())
    index.update([edited])
    query = NeedQuery(text="ワイヤー放電加工をお願いしたい")
    assert target.id in [m.factory_id for m in index.match(query, limit=10).results]
    assert target.id not in [m.factory_id for m in stale.match(query, limit=10).results]
    index.update(removed=[target.id])
    assert target.id not in index and target.id not in [m.factory_id for m in index.match(query, limit=60).results]
    assert index.factory_count == 59 and len(index) == 60  # the row stays, empty, for the next new factory
    index.update([replace(FACTORIES[70], id=5000)])
    assert len(index) == 60 and 5000 in index
