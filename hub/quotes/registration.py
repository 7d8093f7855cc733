"""The qualified-invoice issuer registration number (適格請求書発行事業者登録番号): ``T`` + 13 digits.

For a company the 13 digits are its corporate number (法人番号), whose first digit is a check digit over the other
twelve (the formula the National Tax Agency publishes with the corporate-number system): with ``P(n)`` the n-th
digit of the twelve counted from the right and ``Q(n)`` = 1 for odd n and 2 for even n,

    check = 9 - (Σ P(n) × Q(n) for n = 1..12) mod 9

so the check digit is 1–9 and a number never starts with 0. Sole proprietors get 13 digits that are not their
My Number and never equal a corporate number; they are issued by the same agency from the same numbering, and we
check them the same way (see docs/quotes.md for what we could and could not confirm).
"""

from __future__ import annotations

import re
import unicodedata

_FORMAT = re.compile(r"T(\d{13})")


def check_digit(twelve: str) -> int:
    """The check digit of a corporate number's 12-digit base."""
    total = 0
    for n, digit in enumerate(reversed(twelve), start=1):
        total += int(digit) * (1 if n % 2 else 2)
    return 9 - total % 9


def normalise(raw: str | None) -> str:
    """Full-width letters and digits to ASCII, spaces and hyphens removed, ``t`` upper-cased."""
    text = unicodedata.normalize("NFKC", raw or "").strip().upper()
    return re.sub(r"[\s\-‐－ー]", "", text)


def is_valid(number: str | None) -> bool:
    match = _FORMAT.fullmatch(number or "")
    if match is None:
        return False
    digits = match.group(1)
    return digits[0] != "0" and int(digits[0]) == check_digit(digits[1:])


def clean(raw: str | None) -> str | None:
    """The number in its canonical form (``T`` + 13 digits), None when empty; ValueError when invalid."""
    number = normalise(raw)
    if not number:
        return None
    if not number.startswith("T") and number.isdigit():
        number = "T" + number
    if not is_valid(number):
        raise ValueError(number)
    return number
