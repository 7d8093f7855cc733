"""Working days: Japanese public holidays (jpholiday), weekends and a factory's closing periods (お盆, 年末年始 …).

A lead time of N working days counts from the day after the work arrives: day 1 is the first working day after
it, the finish is the N-th. So an order placed on Friday 2026-12-25 with a 3-day lead time, in a shop closed from
12-29 to 01-03, is done on Tuesday 2027-01-05 (Mon 28, Mon 4 … see tests/quotes/test_workdays.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import jpholiday

MAX_LEAD_DAYS = 365
_MONTH_DAY = re.compile(r"(\d{1,2})-(\d{1,2})")


@dataclass(frozen=True)
class Closure:
    """A yearly closing period, inclusive, given as month-day; it may run over the new year (12-29 → 01-03)."""

    start: tuple[int, int]
    end: tuple[int, int]
    label: str = ""

    def contains(self, day: date) -> bool:
        key = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= key <= self.end
        return key >= self.start or key <= self.end

    def as_dict(self) -> dict:
        return {"from": f"{self.start[0]:02d}-{self.start[1]:02d}", "to": f"{self.end[0]:02d}-{self.end[1]:02d}",
                "label": self.label}


DEFAULT_CLOSURES = (Closure((8, 13), (8, 16), "お盆"), Closure((12, 29), (1, 3), "年末年始"))


def parse_month_day(text: str) -> tuple[int, int]:
    match = _MONTH_DAY.fullmatch((text or "").strip())
    if match is None:
        raise ValueError(text)
    month, day = int(match.group(1)), int(match.group(2))
    date(2024, month, day)  # a leap year, so 02-29 is allowed; raises ValueError for 13-01 or 02-30
    return month, day


def closures_from(rows: Iterable[dict] | None) -> tuple[Closure, ...]:
    """Closures from stored rows ``{"from": "MM-DD", "to": "MM-DD", "label": str}``; ValueError on a bad one."""
    result = []
    for row in rows or ():
        result.append(Closure(parse_month_day(row.get("from", "")), parse_month_day(row.get("to", "")),
                              str(row.get("label", ""))[:40]))
    return tuple(result)


@dataclass(frozen=True)
class WorkCalendar:
    """When a shop works: not on Sundays, public holidays or its closures; Saturdays only when it says so."""

    closures: tuple[Closure, ...] = DEFAULT_CLOSURES
    works_saturday: bool = False

    def is_working_day(self, day: date) -> bool:
        if day.weekday() == 6 or (day.weekday() == 5 and not self.works_saturday):
            return False
        if jpholiday.is_holiday(day):
            return False
        return not any(closure.contains(day) for closure in self.closures)

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself never counts; 0 days: ``start``)."""
        if days < 0 or days > MAX_LEAD_DAYS:
            raise ValueError(days)
        day, counted = start, 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days after ``start`` up to and including ``end`` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def next_working_day(self, start: date) -> date:
        return self.add_working_days(start, 1)
