"""Consumption tax as a qualified invoice computes it: once per document and rate, rounded once, integer yen."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hub.quotes import pricing, registration
from hub.quotes.pricing import Line, compute


def L(qty, price, rate=10):  # noqa: N802
    return Line("part", Decimal(str(qty)), Decimal(str(price)), rate)


@pytest.mark.parametrize(("price", "floor", "half_up", "ceiling"), [
    (1, 0, 0, 1),      # ¥1: tax ¥0.1
    (4, 0, 0, 1),      # ¥0.4
    (5, 0, 1, 1),      # ¥0.5: the half-up edge
    (9, 0, 1, 1),      # ¥0.9
    (10, 1, 1, 1),     # exactly ¥1
    (15, 1, 2, 2),     # ¥1.5
    (999, 99, 100, 100),
])
def test_one_yen_rounding_edges_excluding_tax(price, floor, half_up, ceiling):
    for mode, tax in (("floor", floor), ("half_up", half_up), ("ceiling", ceiling)):
        totals = compute([L(1, price)], "excl", mode)
        assert (totals.subtotal, totals.tax, totals.total) == (price, tax, price + tax), mode


def test_tax_is_computed_once_per_invoice_not_per_line():
    # three lines of ¥15: per line the tax would be 1 + 1 + 1 = ¥3 (rounded down each time); the invoice rule
    # taxes the ¥45 once: ¥4.5 → ¥4.
    totals = compute([L(1, 15), L(1, 15), L(1, 15)], "excl", "floor")
    assert totals.amounts == (15, 15, 15)
    assert (totals.subtotal, totals.tax, totals.total) == (45, 4, 49)
    assert sum(pricing.round_yen(Decimal(a) / 10, "floor") for a in totals.amounts) == 3  # the rule it replaces


def test_prices_including_tax_back_out_the_tax_once():
    assert [(t.base, t.tax, t.gross) for t in compute([L(1, 1100)], "incl").by_rate] == [(1000, 100, 1100)]
    assert compute([L(1, 1)], "incl", "floor").tax == 0  # ¥1 × 10/110 = ¥0.09
    assert compute([L(1, 1)], "incl", "ceiling").tax == 1
    assert compute([L(1, 11)], "incl", "floor").tax == 1  # exactly ¥1
    totals = compute([L(3, 333)], "incl", "half_up")  # ¥999 with tax: 999 × 10/110 = 90.8 → 91
    assert (totals.subtotal, totals.tax, totals.total) == (908, 91, 999)


def test_each_rate_is_taxed_on_its_own_sum():
    totals = compute([L(1, 1005), L(2, 503, 8), L(1, 5)], "excl", "floor")
    assert [(t.rate, t.base, t.tax) for t in totals.by_rate] == [(10, 1010, 101), (8, 1006, 80)]
    assert (totals.subtotal, totals.tax, totals.total) == (2016, 181, 2197)


def test_unit_prices_in_sen_round_the_line_to_the_yen():
    assert compute([L(1000, "12.34")]).amounts == (12340,)
    assert compute([L(3, "0.33")], "excl", "floor").amounts == (0,)
    assert compute([L(3, "0.33")], "excl", "half_up").amounts == (1,)
    assert compute([L("2.5", "0.5")], "excl", "ceiling").amounts == (2,)


@pytest.mark.parametrize("raw", ["1.234", "-1", "NaN", "Infinity", "abc", "", "1e12"])
def test_bad_numbers_are_refused(raw):
    with pytest.raises(pricing.PricingError):
        pricing.to_decimal(raw, "unit_price")


def test_numbers_are_read_as_written():
    assert pricing.to_decimal("1,200", "x") == Decimal("1200.00")
    assert pricing.to_decimal(0.1, "x") == Decimal("0.10")  # a float's shortest repr, never its binary value
    with pytest.raises(pricing.PricingError):
        compute([L(1, 100, 5)])


@pytest.mark.parametrize(("raw", "expected"), [
    ("T7000012050002", "T7000012050002"),   # the National Tax Agency's own corporate number
    ("T7010705000725", "T7010705000725"),   # a corporate number with its published check digit 7
    ("7000012050002", "T7000012050002"),    # without the T
    ("Ｔ７０００ー０１２０ー５０００２", "T7000012050002"),  # full width, with separators
    ("t 7000 0120 50002", "T7000012050002"),
    ("", None),
])
def test_registration_numbers_are_normalised(raw, expected):
    assert registration.clean(raw) == expected


@pytest.mark.parametrize("raw", ["T7000012050003", "T6000012050002", "T0000012050002", "T700001205000",
                                 "T70000120500021", "X7000012050002", "T70000120500O2"])
def test_registration_numbers_with_a_wrong_check_digit_or_shape_are_refused(raw):
    with pytest.raises(ValueError):
        registration.clean(raw)


def test_check_digit_formula():
    # 000012050002 from the right: odd places 2+0+5+2+0+0 = 9, even places 2×(0+0+0+1+0+0) = 2; 9 - 11 mod 9 = 7
    assert registration.check_digit("000012050002") == 7
