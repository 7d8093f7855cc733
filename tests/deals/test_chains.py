"""Chain requests people can send (issue 12): plan → draft → compose (swap a factory, say what is asked) → review →
send; each factory sees and is emailed only its own step's request; a declined step goes to the next candidate and
only that step is sent again; events name their step; closing as a joint order with an unanswered step asks first."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest

from hub.deals import services
from hub.deals.models import ChainDraft, ChainDraftFile, Deal, DealAttachment, DealStep, Notification
from hub.extensions import db
from hub.mail.models import EmailMessage
from tests.deals.conftest import PDF

DUE = date.today() + timedelta(days=30)


@pytest.fixture
def chain(app, world, make_factory, fast_user):
    """A third factory (grinding) and a fourth that also grinds (the candidate), with English- and
    Japanese-reading members."""
    grinder = make_factory(name="研削の森", name_en="Mori Grinding", processes=["円筒研削"])
    spare = make_factory(name="大森研削", processes=["円筒研削"])
    return {"grinder": grinder, "spare": spare,
            "grinder_user": fast_user("factory", factory=grinder, name="Alex Mori", locale="en",
                                      email="alex@mori.example"),
            "spare_user": fast_user("factory", factory=spare, name="大森 一郎", email="ichiro@omori.example")}


def _plan(world, chain, need=True) -> dict:
    data = {"steps-0-process": "milling", "steps-0-factory": str(world.factory), "steps-0-input": "フライス",
            "steps-0-candidates": "",
            "steps-1-process": "anodizing", "steps-1-factory": str(world.other_factory),
            "steps-1-input": "黒アルマイト", "steps-1-candidates": "",
            "steps-2-process": "grinding", "steps-2-factory": str(chain["grinder"]), "steps-2-input": "研削",
            "steps-2-candidates": f"{chain['spare']},999999"}
    if need:
        data["need"] = str(world.need)
    return data


def _draft_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    match = re.search(r"/deals/chains/drafts/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def _compose_data(world, chain, **overrides) -> dict:
    data = {}
    for i, factory in enumerate((world.factory, world.other_factory, chain["grinder"])):
        data.update({f"steps-{i}-factory": str(factory), f"steps-{i}-quantity": str(50 + i),
                     f"steps-{i}-due_date": DUE.isoformat(), f"steps-{i}-material": "A5052",
                     f"steps-{i}-note": f"工程{i + 1}の注意: 公差±0.01"})
    data.update(overrides)
    return data


def _send(app, seeker, world, chain, **overrides) -> int:
    draft_id = _draft_id(seeker.post("/deals/chains", data=_plan(world, chain)))
    response = seeker.post(f"/deals/chains/drafts/{draft_id}", data=_compose_data(world, chain, **overrides),
                           content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/review"), \
        response.get_data(as_text=True)[:3000]
    response = seeker.post(f"/deals/chains/drafts/{draft_id}/send")
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _mails_to(app, email) -> list[EmailMessage]:
    with app.app_context():
        return db.session.scalars(db.select(EmailMessage).where(EmailMessage.recipient == email)
                                  .order_by(EmailMessage.id)).all()


def test_a_plan_becomes_a_draft_prefilled_from_the_need_and_nothing_is_sent(app, world, chain, signin):
    seeker = signin(world.seeker)
    draft_id = _draft_id(seeker.post("/deals/chains", data=_plan(world, chain)))
    with app.app_context():
        draft = db.session.get(ChainDraft, draft_id)
        assert [s["factory_id"] for s in draft.steps] == [world.factory, world.other_factory, chain["grinder"]]
        assert draft.steps[2]["candidates"] == [chain["grinder"], chain["spare"]]  # the unknown id is dropped
        assert {s["quantity"] for s in draft.steps} == {50} and {s["material"] for s in draft.steps} == {"A5052"}
        assert db.session.scalar(db.select(db.func.count(Deal.id))) == 0
        assert db.session.scalar(db.select(db.func.count(Notification.id))) == 0
    page = seeker.get(f"/deals/chains/drafts/{draft_id}").get_data(as_text=True)
    assert 'data-testid="compose-step-3"' in page and "大森研削" in page and "研削の森" in page
    assert 'name="steps-0-quantity"' in page and 'value="50"' in page and 'value="A5052"' in page
    assert "アルミ筐体 50個" in page  # the need it is about


def test_compose_swap_review_and_send_one_request_per_step(app, world, chain, signin):
    seeker = signin(world.seeker)
    draft_id = _draft_id(seeker.post("/deals/chains", data=_plan(world, chain)))
    data = _compose_data(world, chain, **{"steps-2-factory": str(chain["spare"]),
                                          "steps-2-drawing": (io.BytesIO(PDF), "shaft.pdf")})
    response = seeker.post(f"/deals/chains/drafts/{draft_id}", data=data, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/drafts/{draft_id}/review")
    review = seeker.get(f"/deals/chains/drafts/{draft_id}/review").get_data(as_text=True)
    assert "大森研削" in review and "shaft.pdf" in review and DUE.isoformat() in review
    assert "工程3の注意" in review and 'data-testid="send-chain"' in review
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Deal.id))) == 0  # reviewed, not yet sent
    response = seeker.post(f"/deals/chains/drafts/{draft_id}/send")
    assert response.status_code == 302
    deal_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        deal = db.session.get(Deal, deal_id)
        assert deal.kind == "chain" and deal.need_id == world.need
        assert [(s.position, s.factory_id, s.quantity, s.due_date, s.material, s.status) for s in deal.steps] == [
            (1, world.factory, 50, DUE, "A5052", "requested"), (2, world.other_factory, 51, DUE, "A5052", "requested"),
            (3, chain["spare"], 52, DUE, "A5052", "requested")]
        assert deal.steps[2].message == "工程3の注意: 公差±0.01"
        assert deal.steps[2].candidates == [chain["grinder"]]  # the swapped-out factory is the next candidate
        assert [a.original_name for a in deal.steps[2].drawings] == ["shaft.pdf"]
        assert deal.steps[0].drawings == []
        assert db.session.scalar(db.select(db.func.count(ChainDraftFile.id))) == 0
        assert db.session.get(ChainDraft, draft_id).deal_id == deal_id
    # Sending twice does not send twice; the draft now leads to the deal.
    again = seeker.post(f"/deals/chains/drafts/{draft_id}/send")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/deals/{deal_id}")
    assert seeker.get(f"/deals/chains/drafts/{draft_id}").headers["Location"].endswith(f"/deals/{deal_id}")


def test_each_factory_is_emailed_what_was_asked_of_its_own_step_in_its_language(app, world, chain, signin):
    seeker = signin(world.seeker)
    _send(app, seeker, world, chain, **{"steps-2-material": "SCM440 焼入れ済み"})
    [english] = _mails_to(app, "alex@mori.example")
    body = english.body_text
    assert english.locale == "en" and "New inquiry" in english.subject
    assert "Step 3 of 3 (grinding)" in body
    assert "Quantity: 52" in body and f"Needed by: {DUE.isoformat()}" in body and "Material: SCM440" in body
    assert "工程3の注意" in body and "工程1の注意" not in body  # only its own step
    assert "数量と納期は依頼内容に記載" not in body
    with app.app_context():
        from hub.auth.models import User

        japanese_email = db.session.get(User, world.factory_user).email
    [japanese] = _mails_to(app, japanese_email)
    assert "数量: 50" in japanese.body_text and "工程1の注意" in japanese.body_text
    assert "工程3の注意" not in japanese.body_text and "工程 1/3（フライス加工）" in japanese.body_text


def test_compose_errors_keep_everything_typed_and_the_drawings_already_uploaded(app, world, chain, signin):
    seeker = signin(world.seeker)
    draft_id = _draft_id(seeker.post("/deals/chains", data=_plan(world, chain)))
    data = _compose_data(world, chain, **{
        "phone": "0" * 41, "steps-0-quantity": "abc",
        "steps-1-due_date": (date.today() - timedelta(days=1)).isoformat(),
        "steps-1-note": "この文章は消えてはいけない", "steps-0-drawing": (io.BytesIO(PDF), "kept.pdf"),
        "steps-1-drawing": (io.BytesIO(b"MZ not a drawing"), "virus.exe")})
    response = seeker.post(f"/deals/chains/drafts/{draft_id}", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "この文章は消えてはいけない" in page and 'value="abc"' in page and 'value="' + "0" * 41 + '"' in page
    assert "過去の日付です。" in page  # the past date is named
    assert "図面はPDF、PNG、JPEG、STEP形式でアップロードしてください。" in page  # the refused file says why
    assert "kept.pdf" in page  # the good drawing is kept with the draft
    with app.app_context():
        assert [f.original_name for f in db.session.get(ChainDraft, draft_id).files] == ["kept.pdf"]
    # Correcting the fields goes on to the review, with the drawing kept; a ticked drawing is removed.
    response = seeker.post(f"/deals/chains/drafts/{draft_id}", data=_compose_data(world, chain),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert "kept.pdf" in seeker.get(f"/deals/chains/drafts/{draft_id}/review").get_data(as_text=True)
    with app.app_context():
        file_id = db.session.get(ChainDraft, draft_id).files[0].id
    seeker.post(f"/deals/chains/drafts/{draft_id}", data={**_compose_data(world, chain), "remove_file": str(file_id)},
                content_type="multipart/form-data")
    with app.app_context():
        assert db.session.get(ChainDraft, draft_id).files == []


def test_a_factory_outside_the_candidates_cannot_be_swapped_in(app, world, chain, signin, make_factory):
    seeker = signin(world.seeker)
    draft_id = _draft_id(seeker.post("/deals/chains", data=_plan(world, chain)))
    outsider = make_factory(name="部外工場", processes=["円筒研削"])
    response = seeker.post(f"/deals/chains/drafts/{draft_id}",
                           data=_compose_data(world, chain, **{"steps-2-factory": str(outsider)}),
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "この工程の候補の中から工場を選んでください。" in response.get_data(as_text=True)
    # "Do not send this step" leaves it out of the deal.
    deal_id = _send(app, seeker, world, chain, **{"steps-1-factory": ""})
    with app.app_context():
        assert [s.factory_id for s in db.session.get(Deal, deal_id).steps] == [world.factory, chain["grinder"]]


def test_drafts_are_only_for_their_requester(app, world, chain, signin):
    draft_id = _draft_id(signin(world.seeker).post("/deals/chains", data=_plan(world, chain)))
    for user in (world.stranger, world.factory_user, world.organiser):
        other = signin(user)
        assert other.get(f"/deals/chains/drafts/{draft_id}").status_code == 404
        assert other.get(f"/deals/chains/drafts/{draft_id}/review").status_code == 404
        assert other.post(f"/deals/chains/drafts/{draft_id}/send").status_code == 404
    assert app.test_client().get(f"/deals/chains/drafts/{draft_id}").status_code == 302  # sign in first
    # A need that is not yours cannot start a draft.
    assert signin(world.stranger).post("/deals/chains", data=_plan(world, chain)).status_code == 404


def test_factories_see_only_their_own_steps_request(app, world, chain, signin):
    seeker = signin(world.seeker)
    deal_id = _send(app, seeker, world, chain, **{"steps-2-drawing": (io.BytesIO(PDF), "secret-shaft.pdf")})
    other = signin(world.other_factory_user).get(f"/deals/{deal_id}").get_data(as_text=True)
    assert "工程2の注意" in other and "工程3の注意" not in other and "工程1の注意" not in other
    assert "secret-shaft.pdf" not in other
    assert "研削の森" in other  # the route: every step's factory and process
    grinder = signin(chain["grinder_user"])
    page = grinder.get(f"/deals/{deal_id}").get_data(as_text=True)
    assert "工程3の注意" in page and "secret-shaft.pdf" in page
    with app.app_context():
        drawing_id = db.session.scalar(db.select(DealAttachment.id).where(DealAttachment.step_id.isnot(None)))
    for client, status in ((grinder, 200), (signin(world.other_factory_user), 404), (seeker, 200)):
        response = client.get(f"/deals/{deal_id}/files/{drawing_id}")
        assert response.status_code == status
        response.close()
    # The API says the same: another step's request is null for a factory.
    response = app.test_client().get(f"/api/v1/deals/{deal_id}", headers=_bearer(app, world.other_factory_user))
    steps = response.get_json()["steps"]
    assert steps[1]["note"] == "工程2の注意: 公差±0.01" and steps[1]["quantity"] == 51
    assert steps[2]["note"] is None and steps[2]["quantity"] is None and steps[2]["drawings"] == []
    assert steps[2]["factory"]["id"] == chain["grinder"]


def _bearer(app, user_id) -> dict:
    from hub.auth.models import User
    from hub.auth.services import issue_api_token

    with app.app_context():
        token = issue_api_token(db.session.get(User, user_id))
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _decline(signin, user_id, deal_id, step_id, reason="設備が埋まっています"):
    response = signin(user_id).post(f"/deals/{deal_id}/steps/{step_id}/answer",
                                    data={"decision": "decline", "reason": reason})
    assert response.status_code == 302


def test_a_declined_step_goes_to_the_next_candidate_and_the_others_stay(app, world, chain, signin):
    seeker = signin(world.seeker)
    deal_id = _send(app, seeker, world, chain, **{"steps-2-drawing": (io.BytesIO(PDF), "shaft.pdf")})
    with app.app_context():
        steps = db.session.get(Deal, deal_id).steps
        before = [(s.id, s.status) for s in steps[:2]]
        grinding_id = steps[2].id
    signin(world.factory_user).post(f"/deals/{deal_id}/steps/{before[0][0]}/answer", data={"decision": "accept"})
    _decline(signin, chain["grinder_user"], deal_id, grinding_id)
    page = seeker.get(f"/deals/{deal_id}").get_data(as_text=True)
    assert 'data-testid="reroute-form"' in page and "大森研削" in page
    assert "工程 3/3（研削加工）: 研削の森 が問い合わせをお断りしました。" in page  # the timeline names the step
    # Only the requester may re-route.
    assert signin(world.factory_user).post(f"/deals/{deal_id}/steps/{grinding_id}/reroute").status_code == 403
    response = seeker.post(f"/deals/{deal_id}/steps/{grinding_id}/reroute", data={"factory": str(chain["spare"])})
    assert response.status_code == 302
    with app.app_context():
        steps = db.session.get(Deal, deal_id).steps
        assert [(s.id, s.status) for s in steps[:2]] == [(before[0][0], "accepted"), before[1]]  # untouched
        old, new = steps[2], steps[3]
        assert (old.id, old.status, new.position, new.factory_id, new.status) == (
            grinding_id, "declined", 3, chain["spare"], "requested")
        assert (new.quantity, new.due_date, new.material, new.message) == (52, DUE, "A5052", "工程3の注意: 公差±0.01")
        assert [a.original_name for a in new.drawings] == ["shaft.pdf"]
        assert new.drawings[0].stored_name != old.drawings[0].stored_name
        notified = set(db.session.scalars(db.select(Notification.user_id).where(
            Notification.deal_id == deal_id, Notification.kind == "inquiry")))
        assert chain["spare_user"] in notified
    [mail] = _mails_to(app, "ichiro@omori.example")
    assert "数量: 52" in mail.body_text and "工程 3/3（研削加工）" in mail.body_text
    page = seeker.get(f"/deals/{deal_id}").get_data(as_text=True)
    assert "工程 3/3（研削加工）: 研削の森の代わりに大森研削へ依頼を送り直しました。" in page
    # Once re-routed, the declined request cannot be re-routed again; no candidate left is said plainly.
    assert 'data-testid="reroute-form"' not in page
    again = seeker.post(f"/deals/{deal_id}/steps/{grinding_id}/reroute", follow_redirects=True)
    assert "断られた、または取り下げた工程だけを別の工場に送り直せます。" in again.get_data(as_text=True)
    with app.app_context():
        new_id = db.session.get(Deal, deal_id).steps[3].id
    _decline(signin, chain["spare_user"], deal_id, new_id)
    page = seeker.get(f"/deals/{deal_id}").get_data(as_text=True)
    assert 'data-testid="no-candidate"' in page  # both grinders said no, the directory is offered


def test_events_and_notifications_name_their_step(app, world, chain, signin):
    seeker = signin(world.seeker)
    deal_id = _send(app, seeker, world, chain)
    with app.app_context():
        step_id = db.session.get(Deal, deal_id).steps[1].id
    _decline(signin, world.other_factory_user, deal_id, step_id)
    assert "工程 2/3（アルマイト）: 墨田メッキ が問い合わせをお断りしました。" in seeker.get(
        f"/deals/{deal_id}").get_data(as_text=True)
    notes = seeker.get("/deals/notifications").get_data(as_text=True)
    assert "工程 2/3（アルマイト）: 墨田メッキ が問い合わせをお断りしました" in notes
    with app.app_context():
        from hub.auth.models import User

        email = db.session.get(User, world.seeker).email
    [answer] = [m for m in _mails_to(app, email) if m.kind == "deals_answer"]
    assert "工程 2/3（アルマイト）" in answer.body_text and "この工程には他の候補がありません。" in answer.body_text
    with app.app_context():
        grinding_id = db.session.get(Deal, deal_id).steps[2].id
    _decline(signin, chain["grinder_user"], deal_id, grinding_id)  # this step has a candidate left
    answer = [m for m in _mails_to(app, email) if m.kind == "deals_answer"][-1]
    assert "工程 3/3（研削加工）" in answer.body_text and "次の候補に送り直せます" in answer.body_text


def test_closing_as_a_joint_order_with_a_step_awaiting_its_answer_asks_first(app, world, chain, signin):
    seeker = signin(world.seeker)
    deal_id = _send(app, seeker, world, chain)
    with app.app_context():
        first = db.session.get(Deal, deal_id).steps[0].id
    signin(world.factory_user).post(f"/deals/{deal_id}/steps/{first}/answer", data={"decision": "accept"})
    response = seeker.post(f"/deals/{deal_id}/close", data={"outcome": "joint_order"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="close-confirm"' in page
    assert "墨田メッキ" in page and "研削の森" in page and 'name="confirm" value="1"' in page
    with app.app_context():
        assert db.session.get(Deal, deal_id).status == "open"
    response = seeker.post(f"/deals/{deal_id}/close", data={"outcome": "joint_order", "confirm": "1"})
    assert response.status_code == 302
    with app.app_context():
        deal = db.session.get(Deal, deal_id)
        assert deal.status == "closed" and [s.status for s in deal.steps] == ["accepted", "withdrawn", "withdrawn"]


def test_abandoning_needs_no_confirmation(app, world, chain, signin):
    seeker = signin(world.seeker)
    deal_id = _send(app, seeker, world, chain)
    response = seeker.post(f"/deals/{deal_id}/close", data={"outcome": "abandoned", "reason": "予算"})
    assert response.status_code == 302


def test_services_refuse_what_the_pages_would_not_offer(app, world, chain):
    from hub.auth.models import User

    with app.test_request_context():
        seeker = db.session.get(User, world.seeker)
        stranger = db.session.get(User, world.stranger)
        plan = [services.PlannedStep("milling", "フライス", world.factory, [])]
        with pytest.raises(services.DealError):
            services.start_draft(seeker, [])
        with pytest.raises(services.DealError):
            services.start_draft(seeker, [services.PlannedStep("nonsense", "x", world.factory)])
        with pytest.raises(services.DealError):
            services.start_draft(seeker, plan * 13)
        draft = services.start_draft(seeker, plan)
        with pytest.raises(services.NotAllowed):
            services.send_draft(stranger, draft)
        with pytest.raises(services.DealError):
            services.update_draft(seeker, draft, [], phone=None, need_drawings=[])
        draft.steps = [{**draft.steps[0], "due_date": "2000-01-01"}]
        assert services.draft_problems(draft) and pytest.raises(services.DealError, services.send_draft, seeker, draft)
        deal = services.create_chain(seeker, [services.ChainStep("milling", db.session.get(
            __import__("hub.factories.models", fromlist=["Factory"]).Factory, world.factory))])
        step = deal.steps[0]
        with pytest.raises(services.DealError):
            services.reroute(seeker, step)  # not declined
        with pytest.raises(services.NotAllowed):
            services.reroute(stranger, step)
        assert isinstance(step, DealStep)
        db.session.rollback()


def test_the_planner_carries_the_need_for_its_owner_only(app, world, chain, signin):
    owner = signin(world.seeker)
    page = owner.get(f"/match/chain?need={world.need}").get_data(as_text=True)
    assert f'name="need" value="{world.need}"' in page and "MC加工" in page  # the need's steps, prefilled
    page = owner.get(f"/match/chain?need={world.need}&steps=研削").get_data(as_text=True)
    assert 'data-testid="compose-chain-form"' in page and page.count(f'name="need" value="{world.need}"') == 2
    other = signin(world.stranger).get(f"/match/chain?need={world.need}&steps=研削").get_data(as_text=True)
    assert 'name="need"' not in other
    assert 'data-testid="plan-chain"' in owner.get(f"/needs/{world.need}").get_data(as_text=True)


def test_unsent_drafts_are_listed_in_the_inbox_until_sent(app, world, chain, signin):
    seeker = signin(world.seeker)
    draft_id = _draft_id(seeker.post("/deals/chains", data=_plan(world, chain)))
    inbox = seeker.get("/deals/").get_data(as_text=True)
    assert 'data-testid="chain-drafts"' in inbox and f"/deals/chains/drafts/{draft_id}" in inbox
    assert 'data-testid="chain-drafts"' not in signin(world.stranger).get("/deals/").get_data(as_text=True)
    seeker.post(f"/deals/chains/drafts/{draft_id}", data=_compose_data(world, chain),
                content_type="multipart/form-data")
    seeker.post(f"/deals/chains/drafts/{draft_id}/send")
    assert 'data-testid="chain-drafts"' not in seeker.get("/deals/").get_data(as_text=True)


def test_the_composer_and_review_speak_english(app, world, chain, signin):
    seeker = signin(world.seeker)
    seeker.get("/lang/en")
    draft_id = _draft_id(seeker.post("/deals/chains", data=_plan(world, chain)))
    page = seeker.get(f"/deals/chains/drafts/{draft_id}").get_data(as_text=True)
    assert "Compose the chain request" in page and "Planner's choice" in page and "Mori Grinding" in page
    assert "Step 3 of 3" in page and "工程ごとの依頼を作成" not in page
    data = _compose_data(world, chain, **{"steps-0-drawing": [(io.BytesIO(PDF), "a.pdf"), (io.BytesIO(PDF), "b.pdf")]})
    seeker.post(f"/deals/chains/drafts/{draft_id}", data=data, content_type="multipart/form-data")
    review = seeker.get(f"/deals/chains/drafts/{draft_id}/review").get_data(as_text=True)
    assert "Review the chain request" in review and "a.pdf, b.pdf" in review and "Send the requests" in review
