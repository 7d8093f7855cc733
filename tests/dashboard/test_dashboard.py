"""Organiser KPIs (page, CSV, API), editable targets, cluster risk, master–junior pairs."""

from __future__ import annotations

from datetime import date

import pytest

from hub.dashboard.services import PROGRAMME_TARGETS, cluster_risk
from hub.extensions import db
from hub.people.models import Junior, Master, MasterSkill, Pair

YEAR = date.today().year
REQUIRED = {"events_held": 20, "open_factory_companies": 100, "joint_projects_formed": 30,
            "succession_plans": 100, "meister_pairs": 50}


def test_kpi_api_gives_every_indicator_with_programme_targets(client, api_token):
    _, headers = api_token("organiser")
    body = client.get(f"/api/v1/kpis?year={YEAR}", headers=headers).get_json()
    assert body["year"] == YEAR
    got = {i["key"]: i for i in body["indicators"]}
    assert set(REQUIRED) <= set(got)
    assert {k: got[k]["target"] for k in REQUIRED} == REQUIRED
    assert all(isinstance(i["value"], int) and i["label"] for i in body["indicators"])


@pytest.mark.parametrize("role", ["seeker", "factory", "successor"])
def test_kpi_api_is_for_organisers(client, api_token, role):
    _, headers = api_token(role)
    assert client.get("/api/v1/kpis", headers=headers).status_code == 403
    assert client.get("/api/v1/kpis").status_code == 401


@pytest.mark.parametrize("query", ["year=abc", "year=1999", "year=3000"])
def test_kpi_api_validates_year(client, api_token, query):
    _, headers = api_token("organiser")
    assert client.get(f"/api/v1/kpis?{query}", headers=headers).status_code == 400


def _certified_pair(certified_on, status="certified"):
    pair = Pair(master=Master(name="佐藤 昭二", skills=[MasterSkill(process_code="turning")]),
                junior=Junior(name="田中 翔", kind="apprentice", goals=["turning"]), process_code="turning",
                status=status, started_on=date(YEAR - 1, 4, 1), certified_on=certified_on)
    db.session.add(pair)
    db.session.commit()
    return pair.id


def test_certified_pair_counts_in_its_year_only(app, client, api_token):
    """meister_pairs counts pairs an organiser certified (hub/people), in the year of their certification."""
    with app.app_context():
        _certified_pair(date(YEAR, 3, 31))
        _certified_pair(None, status="active")
    _, headers = api_token("organiser")
    values = {i["key"]: i["value"] for i in client.get(f"/api/v1/kpis?year={YEAR}", headers=headers)
              .get_json()["indicators"]}
    before = {i["key"]: i["value"] for i in client.get(f"/api/v1/kpis?year={YEAR - 1}", headers=headers)
              .get_json()["indicators"]}
    assert values["meister_pairs"] == 1 and before["meister_pairs"] == 0


def test_organiser_edits_targets(client, login_as, api_token):
    login_as("organiser")
    data = {key: str(value) for key, value in PROGRAMME_TARGETS.items()}
    data["events_held"] = "24"
    assert client.post(f"/organiser/dashboard?year={YEAR}", data=data).status_code == 302
    bad = client.post(f"/organiser/dashboard?year={YEAR}", data={**data, "meister_pairs": "-5"})
    assert bad.status_code == 200 and "0" in bad.get_data(as_text=True)
    _, headers = api_token("organiser")
    got = {i["key"]: i["target"] for i in client.get(f"/api/v1/kpis?year={YEAR}", headers=headers)
           .get_json()["indicators"]}
    assert got["events_held"] == 24 and got["meister_pairs"] == 50
    other_year = {i["key"]: i["target"] for i in client.get(f"/api/v1/kpis?year={YEAR + 1}", headers=headers)
                  .get_json()["indicators"]}
    assert other_year["events_held"] == 20


def test_cluster_risk_finds_processes_about_to_be_lost(app, make_factory):
    old = YEAR - 78
    make_factory(name="最後の研削屋", processes=["センタレス研削"], owner_birth_year=old, successor_status="none")
    make_factory(name="研削二号", processes=["センタレス研削"], owner_birth_year=old, successor_status="undecided")
    make_factory(name="若い旋盤", processes=["NC旋盤"], owner_birth_year=YEAR - 40, successor_status="none")
    make_factory(name="継ぐ旋盤", processes=["NC旋盤"], owner_birth_year=old, successor_status="family")
    with app.app_context():
        risks = {r.code: r for r in cluster_risk()}
    assert risks["centerless_grinding"].about_to_lose and risks["centerless_grinding"].at_risk == 2
    assert not risks["turning"].about_to_lose and risks["turning"].at_risk == 0
    assert cluster_risk.__doc__


def test_cluster_risk_page_and_csv_for_organisers_only(client, login_as, make_factory):
    make_factory(name="最後の研削屋", processes=["センタレス研削"], owner_birth_year=YEAR - 80, successor_status="none")
    for role in ("seeker", "factory", "successor"):
        login_as(role)
        assert client.get("/organiser/cluster-risk").status_code == 403
        assert client.get("/organiser/cluster-risk.csv").status_code == 403
        client.post("/auth/logout")
    login_as("organiser")
    page = client.get("/organiser/cluster-risk").get_data(as_text=True)
    assert "センタレス研削" in page and "消失の恐れ" in page
    csv_response = client.get("/organiser/cluster-risk.csv")
    assert csv_response.data.startswith("\ufeff".encode())  # opens in Japanese Excel
    text = csv_response.data.decode("utf-8-sig")
    assert "センタレス研削" in text and "\r\n" in text
    kpis = client.get(f"/organiser/dashboard/kpis.csv?year={YEAR}").data.decode("utf-8-sig")
    assert "マイスター" in kpis or "師弟" in kpis


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_dashboard_templates_render_in_both_languages(app, client, login_as, make_factory, rendered,
                                                                 lang):
    from pathlib import Path

    make_factory(name="工場", processes=["NC旋盤"], owner_birth_year=1940, successor_status="none")
    client.get(f"/lang/{lang}")
    login_as("organiser")
    for url in ("/organiser/dashboard", "/organiser/cluster-risk"):
        page = client.get(url)
        assert page.status_code == 200 and f'<html lang="{lang}">' in page.get_data(as_text=True)
    root = Path(app.root_path) / "templates"
    expected = {f"dashboard/{p.name}" for p in (root / "dashboard").glob("*.html")
                if not p.name.startswith("_")}
    assert expected <= set(rendered), expected - set(rendered)
