"""Masters and juniors register, suggestions pair them with reasons, both sides accept, an organiser confirms, both
log and confirm training, an organiser certifies, the certificate verifies, and meister_pairs counts it."""

from __future__ import annotations

from datetime import date, timedelta

from hub.core.timeutil import tokyo_today
from hub.extensions import db
from hub.people import services
from hub.people.models import Junior, Master, Pair, TrainingSession
from tests.people.conftest import junior_form, master_form


def test_suggestions_rank_by_skill_distance_and_places_with_reasons(app, make_user, client_for):
    near = client_for(make_user("seeker"))
    far = client_for(make_user("seeker"))
    other_skill = client_for(make_user("seeker"))
    near.post("/people/masters/new", data=master_form("大田の旋盤師", "turning", "ota"))
    far.post("/people/masters/new", data=master_form("八王子の旋盤師", "turning", "hachioji"))
    other_skill.post("/people/masters/new", data=master_form("めっき師", "electroplating", "ota"))
    junior_id = make_user("seeker")
    junior = client_for(junior_id)
    response = junior.post("/people/juniors/new", data=junior_form("学生", ("turning",), "student", "ota"))
    assert response.status_code == 302 and "/suggestions" in response.headers["Location"]
    page = junior.get(response.headers["Location"]).get_data(as_text=True)
    assert page.index("大田の旋盤師") < page.index("八王子の旋盤師")
    assert "めっき師" not in page
    assert "旋盤" in page and "35年" in page  # the skill reason, in Japanese
    with app.app_context():
        j = db.session.scalar(db.select(Junior).where(Junior.user_id == junior_id))
        ranked = services.suggestions(j)
        assert [s.master.name for s in ranked] == ["大田の旋盤師", "八王子の旋盤師"]
        far_reason = next(r for r in ranked[1].reasons if r["key"] == "distance")
        assert far_reason["km"] > 30 and ranked[0].score > ranked[1].score


def test_master_limit_is_configurable(app, make_user, client_for, login_as, client):
    master_user = make_user("seeker")
    client_for(master_user).post("/people/masters/new", data=master_form("人気の親方"))
    login_as("organiser")
    assert client.post("/people/office/settings", data={"max_juniors_per_master": "1",
                                                        "visits_target": "5"}).status_code == 302
    first, second = make_user("seeker"), make_user("seeker")
    client_for(first).post("/people/juniors/new", data=junior_form("一人目"))
    with app.app_context():
        master = db.session.scalar(db.select(Master).where(Master.user_id == master_user))
        j1 = db.session.scalar(db.select(Junior).where(Junior.user_id == first))
        m_id, j1_id = master.id, j1.id
    assert client_for(first).post(f"/people/juniors/{j1_id}/propose/{m_id}").status_code == 302
    client_for(second).post("/people/juniors/new", data=junior_form("二人目"))
    with app.app_context():
        j2 = db.session.scalar(db.select(Junior).where(Junior.user_id == second))
        assert services.suggestions(j2) == []  # the one place is held by the first proposal
        j2_id = j2.id
    refused = client_for(second).post(f"/people/juniors/{j2_id}/propose/{m_id}", follow_redirects=True)
    assert "受け入れ" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Pair.id))) == 1


def test_the_whole_flow_certifies_and_counts(app, active_pair, api_token, client):
    pair_id, master, junior, office, ids = active_pair("turning")
    day = (tokyo_today() - timedelta(days=3)).isoformat()
    assert master.post(f"/people/pairs/{pair_id}/sessions", data={
        "held_on": day, "hours": "3.5", "skills": ["turning"], "notes": "段取り"}).status_code == 302
    assert junior.post(f"/people/pairs/{pair_id}/sessions", data={
        "held_on": tokyo_today().isoformat(), "hours": "2", "skills": ["turning"], "notes": "外径"}).status_code == 302
    with app.app_context():
        sessions = db.session.scalars(db.select(TrainingSession).order_by(TrainingSession.id)).all()
        assert [s.is_confirmed for s in sessions] == [False, False]
        first, second = sessions[0].id, sessions[1].id
    # Each side confirms the other's session; a side cannot confirm for the other.
    assert junior.post(f"/people/sessions/{first}/confirm").status_code == 302
    assert master.post(f"/people/sessions/{second}/confirm").status_code == 302
    page = master.get(f"/people/pairs/{pair_id}").get_data(as_text=True)
    assert "5.50" in page and "確認済み" in page
    with app.app_context():
        pair = db.session.get(Pair, pair_id)
        assert all(s.is_confirmed for s in pair.sessions)
        milestone_id = pair.milestones[-1].id
    assert junior.post(f"/people/pairs/{pair_id}/certify", data={"cert-milestone_id": milestone_id}).status_code \
        == 403
    assert office.post(f"/people/pairs/{pair_id}/certify", data={"cert-milestone_id": milestone_id}).status_code \
        == 302
    with app.app_context():
        pair = db.session.get(Pair, pair_id)
        code = pair.certificate.code
        assert pair.status == "certified" and pair.certified_on == tokyo_today()
    pdf = junior.get(f"/people/pairs/{pair_id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    check = app.test_client().get(f"/people/verify?code={code.lower().replace('-', ' ')}")
    assert check.status_code == 200 and "本物" in check.get_data(as_text=True)
    assert app.test_client().get("/people/verify?code=MJ-2222-2222-2222").status_code == 404
    api = app.test_client().get(f"/api/v1/certificates/{code.lower()}").get_json()
    assert api["valid"] and api["code"] == code and api["process"]["code"] == "turning"
    assert app.test_client().get("/api/v1/certificates/MJ-2222-2222-2222").status_code == 404
    english = app.test_client()
    english.get("/lang/en")
    text = english.get(f"/people/verify?code={code}").get_data(as_text=True)
    assert "This certificate is genuine." in text and "Working alone to the required accuracy" in text
    assert "Turning" in text or "turning" in text
    with app.app_context():  # each side was told: the proposal (master), the confirmation and the certificate
        from hub.mail.models import EmailMessage

        sent = {(m.recipient, m.kind) for m in db.session.scalars(db.select(EmailMessage))}
        mails = {kind for recipient, kind in sent if recipient == "master1@example.jp"}
        assert {"people_proposed", "people_confirmed", "people_certified"} <= mails
        assert {kind for recipient, kind in sent if recipient == "junior1@example.jp"} == {
            "people_confirmed", "people_certified"}  # the junior proposed: no mail asking them to answer
        body = db.session.scalar(db.select(EmailMessage.body_text).where(EmailMessage.kind == "people_certified"))
        assert code in body and f"/people/pairs/{pair_id}" in body
    _, headers = api_token("organiser")
    values = {i["key"]: i["value"] for i in client.get(f"/api/v1/kpis?year={tokyo_today().year}",
                                                        headers=headers).get_json()["indicators"]}
    assert values["meister_pairs"] == 1


def test_certification_needs_confirmed_training(app, active_pair):
    pair_id, master, junior, office, _ = active_pair()
    with app.app_context():
        milestone_id = db.session.get(Pair, pair_id).milestones[0].id
    master.post(f"/people/pairs/{pair_id}/sessions", data={"held_on": date.today().isoformat(), "hours": "1"})
    office.post(f"/people/pairs/{pair_id}/certify", data={"cert-milestone_id": milestone_id})
    with app.app_context():
        assert db.session.get(Pair, pair_id).status == "active"  # the session is not confirmed by the junior yet


def test_the_office_answers_for_people_without_an_account(app, client, login_as):
    """A master registered by the office and a junior without an account or a factory: an organiser accepts, logs
    and confirms for them, so such a pair (like those recorded before the hub ran the programme) can be certified."""
    login_as("organiser")
    assert client.post("/people/masters/new", data=master_form("電話だけの親方")).status_code == 302
    assert client.post("/people/juniors/new", data=junior_form("見習い君", kind="apprentice",
                                                               employer_id="0")).status_code == 302
    with app.app_context():
        m_id = db.session.scalar(db.select(Master.id).where(Master.name == "電話だけの親方"))
        j_id = db.session.scalar(db.select(Junior.id).where(Junior.name == "見習い君"))
    client.post(f"/people/juniors/{j_id}/propose/{m_id}", data={"process_code": "turning"})
    with app.app_context():
        pair = db.session.scalar(db.select(Pair).where(Pair.junior_id == j_id))
        pair_id = pair.id
        assert pair.master_accepted_at and pair.junior_accepted_at
    client.post(f"/people/pairs/{pair_id}/confirm", data={"confirm": "1"})
    assert client.post(f"/people/pairs/{pair_id}/sessions", data={
        "held_on": tokyo_today().isoformat(), "hours": "4"}).status_code == 302
    with app.app_context():
        pair = db.session.get(Pair, pair_id)
        assert pair.status == "active" and pair.sessions[0].is_confirmed


def test_only_organisers_set_a_masters_own_limit(app, make_user, client_for):
    user = make_user("seeker")
    master = client_for(user)
    master.post("/people/masters/new", data=master_form("欲張りな親方", max_juniors="15"))
    with app.app_context():
        row = db.session.scalar(db.select(Master).where(Master.user_id == user))
        master_id = row.id
        assert row.max_juniors is None
    office = client_for(make_user("organiser"))
    assert office.post(f"/people/masters/{master_id}/edit", data=master_form("欲張りな親方", max_juniors="1")) \
        .status_code == 302
    with app.app_context():
        row = db.session.get(Master, master_id)
        assert row.max_juniors == 1 and services.master_limit(row) == 1
