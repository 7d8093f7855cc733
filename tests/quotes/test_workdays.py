"""Working-day lead times across weekends, Japanese public holidays and a factory's closing periods, and the
critical path of a small chain, all checked by hand against a calendar."""

from __future__ import annotations

from datetime import date

import pytest

from hub.quotes.schedule import PlanStep, schedule
from hub.quotes.workdays import Closure, WorkCalendar, closures_from

SHOP = WorkCalendar()  # Sundays, Saturdays, holidays, お盆 08-13…08-16 and 年末年始 12-29…01-03 off


@pytest.mark.parametrize(("start", "days", "finish"), [
    (date(2027, 4, 28), 3, date(2027, 5, 7)),   # Golden Week: 4/29 昭和の日, 4/30 (1), 5/3–5/5 holidays, 5/6, 5/7
    (date(2026, 12, 25), 3, date(2027, 1, 5)),  # Fri; 12/28 (1), 年末年始 to 1/3, 1/4 (2), 1/5 (3)
    (date(2026, 8, 7), 5, date(2026, 8, 19)),   # 8/10 (1), 8/11 山の日, 8/12 (2), お盆 8/13–16, 8/17 (3) … 8/19
    (date(2026, 9, 18), 1, date(2026, 9, 24)),  # Silver Week: 9/21 敬老の日, 9/22 国民の休日, 9/23 秋分の日
    (date(2027, 1, 8), 1, date(2027, 1, 12)),   # Fri; 1/11 成人の日
    (date(2026, 12, 2), 0, date(2026, 12, 2)),
])
def test_lead_times_skip_weekends_holidays_and_closures(start, days, finish):
    assert SHOP.add_working_days(start, days) == finish
    assert SHOP.working_days_between(start, finish) == days


def test_saturdays_count_for_a_shop_that_works_them():
    assert WorkCalendar(works_saturday=True).add_working_days(date(2027, 4, 28), 3) == date(2027, 5, 6)  # 4/30, 5/1


def test_a_shop_with_its_own_closures():
    no_breaks = WorkCalendar(closures=())
    assert no_breaks.add_working_days(date(2026, 12, 25), 3) == date(2026, 12, 30)
    summer = WorkCalendar(closures=closures_from([{"from": "08-10", "to": "08-21", "label": "夏季休業"}]))
    assert summer.add_working_days(date(2026, 8, 7), 1) == date(2026, 8, 24)
    assert Closure((12, 29), (1, 3)).contains(date(2027, 1, 2)) and not Closure((12, 29), (1, 3)).contains(
        date(2027, 1, 4))
    with pytest.raises(ValueError):
        closures_from([{"from": "13-01", "to": "12-31"}])


def test_chain_finish_and_critical_path_by_hand():
    # Ordered Fri 2026-09-18, before Silver Week (9/19–9/23 off).
    #   1 turning   2 days: arrives 9/18 → 9/24 (1), 9/25 (2)
    #   2 hardening 1 day : arrives 9/25 → 9/28                    } side by side
    #   2 plating   3 days: arrives 9/25 → 9/28, 9/29, 9/30        }
    #   3 grinding  2 days: arrives 9/30 → 10/1, 10/2
    steps = [PlanStep("turning", 1, SHOP, 2), PlanStep("hardening", 2, SHOP, 1), PlanStep("plating", 2, SHOP, 3),
             PlanStep("grinding", 3, SHOP, 2)]
    plan = schedule(steps, date(2026, 9, 18))
    assert plan.finish == date(2026, 10, 2)
    assert {s.key: s.finish for s in plan.steps} == {"turning": date(2026, 9, 25), "hardening": date(2026, 9, 28),
                                                     "plating": date(2026, 9, 30), "grinding": date(2026, 10, 2)}
    assert [s.key for s in plan.steps if s.is_critical] == ["turning", "plating", "grinding"]
    assert plan.deciding == "plating"  # the longest critical step
    assert plan.step("grinding").start == date(2026, 9, 30)


def test_a_promised_date_cuts_the_path():
    # Grinding promises 10/9 whatever happens before: it alone decides the finish.
    steps = [PlanStep("turning", 1, SHOP, 2), PlanStep("grinding", 2, SHOP, delivery_date=date(2026, 10, 9))]
    plan = schedule(steps, date(2026, 9, 18))
    assert plan.finish == date(2026, 10, 9)
    assert [s.key for s in plan.steps if s.is_critical] == ["grinding"] and plan.deciding == "grinding"
    # A promise earlier than the work can arrive is pushed to the first working day after arrival.
    early = schedule([PlanStep("turning", 1, SHOP, 2), PlanStep("grinding", 2, SHOP, delivery_date=date(2026, 9, 24))],
                     date(2026, 9, 18))
    assert early.finish == date(2026, 9, 28) and early.deciding == "turning"


def test_each_step_uses_its_own_factorys_calendar():
    saturday_shop = WorkCalendar(works_saturday=True)
    plan = schedule([PlanStep("a", 1, SHOP, 1), PlanStep("b", 2, saturday_shop, 1)], date(2026, 10, 1))
    assert plan.step("a").finish == date(2026, 10, 2) and plan.finish == date(2026, 10, 3)  # Saturday


def test_a_step_without_a_lead_time_leaves_the_finish_unknown():
    plan = schedule([PlanStep("a", 1, SHOP, 1), PlanStep("b", 2, SHOP)], date(2026, 10, 1))
    assert plan.finish is None and plan.missing == ("b",)
