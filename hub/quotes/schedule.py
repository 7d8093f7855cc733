"""The earliest finish of a chain and the steps that decide it (the critical path), from each step's lead time.

Steps run in the order of their position; steps that share a position run side by side, and the next position
starts when the last of them is done (work moves on the day it is finished, by bicycle as nakama-mawashi does).
A step quoted in working days finishes that many working days (of its own factory's calendar) after the day its
work arrives. A step quoted with a delivery date finishes on that date, but never before its first working day
after the work arrives (a promised date cannot beat the work's arrival).

The critical path is found backwards from the finish: at the last position, the step that finishes last; if its
own promised date set its finish, the path stops there (what came before had slack); otherwise it goes on to the
step that finished last at the position before. The *deciding* step is the critical step that takes the most
working days itself: shortening it moves the finish date most.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date

from hub.quotes.workdays import WorkCalendar


@dataclass(frozen=True)
class PlanStep:
    key: Hashable
    position: int
    calendar: WorkCalendar
    lead_days: int | None = None
    delivery_date: date | None = None


@dataclass(frozen=True)
class ScheduledStep:
    key: Hashable
    position: int
    start: date  # the day its work arrives
    finish: date
    working_days: int  # working days from arrival to finish, in its own calendar
    set_by_date: bool  # its promised date, not its input, decided its finish
    is_critical: bool = False


@dataclass(frozen=True)
class Schedule:
    steps: tuple[ScheduledStep, ...]
    finish: date | None
    deciding: Hashable | None
    missing: tuple[Hashable, ...]  # steps with neither a lead time nor a date: no finish can be computed

    def step(self, key: Hashable) -> ScheduledStep | None:
        return next((s for s in self.steps if s.key == key), None)


def _finish(step: PlanStep, arrives: date) -> tuple[date, bool]:
    if step.lead_days is not None:
        return step.calendar.add_working_days(arrives, step.lead_days), False
    earliest = step.calendar.next_working_day(arrives)
    if step.delivery_date >= earliest:
        return step.delivery_date, step.delivery_date > earliest
    return earliest, False


def schedule(steps: Sequence[PlanStep], start: date) -> Schedule:
    """Plan ``steps`` from ``start`` (the order day). With a step missing its lead time, no dates at all."""
    missing = tuple(s.key for s in steps if s.lead_days is None and s.delivery_date is None)
    if missing or not steps:
        return Schedule((), None, None, missing)
    positions = sorted({s.position for s in steps})
    arrives, done = start, []
    stages: list[list[ScheduledStep]] = []
    for position in positions:
        stage = []
        for step in (s for s in steps if s.position == position):
            finish, by_date = _finish(step, arrives)
            stage.append(ScheduledStep(step.key, position, arrives, finish,
                                       step.calendar.working_days_between(arrives, finish), by_date))
        stages.append(stage)
        arrives = max(s.finish for s in stage)
    critical: set[Hashable] = set()
    for stage in reversed(stages):
        last = max(stage, key=lambda s: s.finish)  # max() keeps the first of equals: the earlier-listed step
        critical.add(last.key)
        if last.set_by_date:
            break
    for stage in stages:
        done.extend(ScheduledStep(**{**s.__dict__, "is_critical": s.key in critical}) for s in stage)
    deciding = max((s for s in done if s.is_critical), key=lambda s: s.working_days).key
    return Schedule(tuple(done), arrives, deciding, ())
