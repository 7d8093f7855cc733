"""The allowance CSV for the ward's accounts: confirmed hours × the rate in force on each session's day, the
incentive on certification, totals that add up; BOM and CRLF for Excel; organisers only."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest

from hub.extensions import db
from hub.people.models import Junior, Master, MasterSkill, Pair, TrainingSession

YEAR = 2025
RATES = (  # in force from, master ¥/h, junior ¥/h, incentive
    (date(YEAR, 1, 1), 1500, 500, 50_000),
    (date(YEAR, 7, 1), 2000, 800, 60_000),
)
CONFIRMED = datetime(YEAR, 12, 1)


def _pair(name: str, sessions, certified_on=None, unconfirmed=()):
    pair = Pair(master=Master(name=f"{name}親方", skills=[MasterSkill(process_code="turning")]),
                junior=Junior(name=f"{name}弟子", kind="apprentice", goals=["turning"]), process_code="turning",
                status="certified" if certified_on else "active", started_on=date(YEAR - 1, 1, 1),
                certified_on=certified_on)
    for day, hours in sessions:
        pair.sessions.append(TrainingSession(held_on=day, hours=Decimal(hours), master_confirmed_at=CONFIRMED,
                                             junior_confirmed_at=CONFIRMED))
    for day, hours in unconfirmed:  # only the master confirmed: not paid
        pair.sessions.append(TrainingSession(held_on=day, hours=Decimal(hours), master_confirmed_at=CONFIRMED))
    db.session.add(pair)
    return pair


@pytest.fixture
def ward_data(app, login_as, client):
    login_as("organiser")
    for start, master, junior, incentive in RATES:
        response = client.post("/people/office/allowances", data={
            "effective_from": start.isoformat(), "master_hourly_yen": master, "junior_hourly_yen": junior,
            "certification_incentive_yen": incentive})
        assert response.status_code == 302
    with app.app_context():
        _pair("甲", [(date(YEAR, 3, 10), "3"), (date(YEAR, 8, 1), "2.5")])
        _pair("乙", [(date(YEAR, 6, 30), "4"), (date(YEAR, 7, 1), "1.5")], unconfirmed=[(date(YEAR, 7, 2), "5")])
        _pair("丙", [(date(YEAR, 9, 9), "0.25"), (date(YEAR - 1, 12, 20), "6")], certified_on=date(YEAR, 10, 1))
        _pair("丁", [], unconfirmed=[(date(YEAR, 5, 5), "8")])  # nothing confirmed: not in the sheet
        db.session.commit()


def _sheet(client, query: str) -> list[list[str]]:
    response = client.get(f"/people/office/allowances.csv?{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode()) and b"\r\n" in response.data
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def _expected(start: date, end: date) -> dict[str, tuple[Decimal, int, int, int]]:
    """Per junior: hours, master yen, junior yen, incentive — computed here from the raw rows and RATES."""
    out = {}
    for pair in db.session.scalars(db.select(Pair)):
        hours, master, junior = Decimal(0), 0, 0
        for s in pair.sessions:
            if s.master_confirmed_at and s.junior_confirmed_at and start <= s.held_on <= end:
                rate = [r for r in RATES if r[0] <= s.held_on][-1]
                hours += s.hours
                master += int(s.hours * rate[1])
                junior += int(s.hours * rate[2])
        incentive = 0
        if pair.certified_on and start <= pair.certified_on <= end:
            incentive = [r for r in RATES if r[0] <= pair.certified_on][-1][3]
        if hours or incentive:
            out[pair.junior.name] = (hours, master, junior, incentive)
    return out


def test_the_year_sheet_adds_up_to_the_confirmed_hours(app, client, ward_data):
    rows = _sheet(client, f"year={YEAR}")
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert header[8] == "確認済み時間" and total[0] == "合計"
    got = {row[2]: (Decimal(row[8]), int(row[9]), int(row[10]), int(row[11])) for row in body}
    with app.app_context():
        expected = _expected(date(YEAR, 1, 1), date(YEAR, 12, 31))
    assert got == expected
    # The figures by hand: 甲 3 h at the first rate and 2.5 h at the second; 乙's unconfirmed 5 h are not paid;
    # 丙's session of the year before is outside the period, its certification pays the second incentive.
    assert got["甲弟子"] == (Decimal("5.50"), 3 * 1500 + 2500 * 2, 3 * 500 + 2000, 0)
    assert got["乙弟子"] == (Decimal("5.50"), 4 * 1500 + 3000, 4 * 500 + 1200, 0)
    assert got["丙弟子"] == (Decimal("0.25"), 500, 200, 60_000)
    assert "丁弟子" not in got
    assert Decimal(total[8]) == sum(v[0] for v in got.values()) == Decimal("11.25")
    assert [int(x) for x in total[9:13]] == [19_000, 6_900, 60_000, 85_900]
    assert all(int(row[12]) == int(row[9]) + int(row[10]) + int(row[11]) for row in body)


def test_a_month_sheet_takes_that_month_only(app, client, ward_data):
    rows = _sheet(client, f"year={YEAR}&month=7")
    assert {row[2] for row in rows[1:-1]} == {"乙弟子"}
    assert rows[-1][8] == "1.50" and rows[-1][12] == str(1.5 * 2000 + 1.5 * 800).split(".")[0]


def test_rates_can_be_corrected_and_the_sheet_follows(app, client, ward_data):
    client.post("/people/office/allowances", data={"effective_from": date(YEAR, 7, 1).isoformat(),
                                                   "master_hourly_yen": 3000, "junior_hourly_yen": 800,
                                                   "certification_incentive_yen": 60_000})
    rows = _sheet(client, f"year={YEAR}&month=7")
    assert rows[-1][9] == "4500"


@pytest.mark.parametrize("role", ["seeker", "factory", "successor"])
def test_allowance_data_is_for_organisers_only(client, login_as, role, make_factory):
    login_as(role, factory=make_factory() if role == "factory" else None)
    for url in ("/people/office/allowances", f"/people/office/allowances.csv?year={YEAR}"):
        assert client.get(url).status_code == 403
    assert client.post("/people/office/allowances", data={
        "effective_from": "2025-01-01", "master_hourly_yen": 1, "junior_hourly_yen": 1,
        "certification_incentive_yen": 1}).status_code == 403


def test_bad_periods_are_refused_not_crashed(client, login_as):
    login_as("organiser")
    for query in ("year=1800", "year=2025&month=13", "year=abc&month=x"):
        assert client.get(f"/people/office/allowances.csv?{query}").status_code in (200, 400)
