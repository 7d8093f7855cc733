"""Prices of a quote as a Japanese qualified invoice (適格請求書) counts them: Decimal, integer yen.

The rule (消費税法, インボイス制度): the consumption tax is computed **once per document and per tax rate**, on the
sum of the lines at that rate, and rounded once there — never line by line. The rounding mode is the issuer's
choice; 切り捨て (round down) is what most shops use and is the default here, 四捨五入 (half up) and 切り上げ (up)
are offered too.

Two ways to state prices, both allowed by the rule:
- ``excl`` (税抜): lines are prices without tax. Per rate: ``base = Σ lines``, ``tax = round(base × rate)``,
  ``gross = base + tax``.
- ``incl`` (税込): lines are prices with tax. Per rate: ``gross = Σ lines``, ``tax = round(gross × rate / (100 +
  rate))``, ``base = gross - tax``.

A line's amount is ``quantity × unit price`` rounded to the yen with the same mode (unit prices may have sen,
e.g. ¥12.5 a piece for 1,000 pieces). The document shows, per rate, the amount without tax, the tax and the amount
with tax, and their totals; so prices are always shown both excluding and including tax.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

RATES = (10, 8)  # standard and reduced (food): machi-koba work is always 10 %, the reduced rate is for completeness
ROUNDING = {"floor": ROUND_FLOOR, "half_up": ROUND_HALF_UP, "ceiling": ROUND_CEILING}
BASES = ("excl", "incl")
MAX_UNIT_PRICE = Decimal("999999999.99")
MAX_QUANTITY = Decimal("9999999")
YEN = Decimal(1)
SEN = Decimal("0.01")


class PricingError(ValueError):
    """A line or setting that cannot be priced (the field is named for the form)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal
    unit_price: Decimal
    rate: int = 10


@dataclass(frozen=True)
class RateTotal:
    rate: int
    base: int  # without tax
    tax: int
    gross: int  # with tax


@dataclass(frozen=True)
class Totals:
    basis: str
    rounding: str
    amounts: tuple[int, ...]  # each line's amount, as written (without tax for excl, with tax for incl)
    by_rate: tuple[RateTotal, ...]

    @property
    def subtotal(self) -> int:
        """Without tax."""
        return sum(r.base for r in self.by_rate)

    @property
    def tax(self) -> int:
        return sum(r.tax for r in self.by_rate)

    @property
    def total(self) -> int:
        """With tax."""
        return sum(r.gross for r in self.by_rate)


def to_decimal(value, field: str, *, places: Decimal = SEN, low: Decimal = Decimal(0),
               high: Decimal = MAX_UNIT_PRICE) -> Decimal:
    """A user's number as a Decimal with at most two decimals, within bounds (never a float on the way)."""
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise PricingError(field, "not a number") from None
    if not number.is_finite() or number < low or number > high:
        raise PricingError(field, "out of range")
    if number != number.quantize(places, rounding=ROUND_FLOOR):
        raise PricingError(field, "too many decimals")
    return number.quantize(places)


def round_yen(amount: Decimal, rounding: str) -> int:
    """Round to a whole yen with the issuer's mode."""
    return int(amount.quantize(YEN, rounding=ROUNDING[rounding]))


def line_amount(line: Line, rounding: str = "floor") -> int:
    return round_yen(line.quantity * line.unit_price, rounding)


def compute(lines: Iterable[Line], basis: str = "excl", rounding: str = "floor") -> Totals:
    """The totals of a document: one tax per rate on the sum of that rate's lines, rounded once."""
    if basis not in BASES:
        raise PricingError("basis", "unknown basis")
    if rounding not in ROUNDING:
        raise PricingError("rounding", "unknown rounding")
    lines = list(lines)
    amounts = tuple(line_amount(line, rounding) for line in lines)
    sums: dict[int, int] = {}
    for line, amount in zip(lines, amounts, strict=True):
        if line.rate not in RATES:
            raise PricingError("rate", "unknown tax rate")
        sums[line.rate] = sums.get(line.rate, 0) + amount
    by_rate = []
    for rate in sorted(sums, reverse=True):
        written = Decimal(sums[rate])
        if basis == "excl":
            tax = round_yen(written * rate / 100, rounding)
            by_rate.append(RateTotal(rate, int(written), tax, int(written) + tax))
        else:
            tax = round_yen(written * rate / (100 + rate), rounding)
            by_rate.append(RateTotal(rate, int(written) - tax, tax, int(written)))
    return Totals(basis, rounding, amounts, tuple(by_rate))


def yen(amount: int) -> str:
    """¥1,234,567 (negative amounts never occur: quantities and prices are not negative)."""
    return f"¥{amount:,}"
