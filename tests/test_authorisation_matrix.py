"""Who may do what: every route of the app (pages and /api/v1) × every role, against representative objects
owned by factory A and by the seeker. One table, one test run over it.

Each row: method, rule (exactly as in ``app.url_map``), the objects that fill its placeholders, and one outcome
per role, in the order of ROLES:

    anonymous · seeker · member of factory A · member of factory B · successor · organiser

Outcomes: ``+`` allowed (2xx, or a 4xx about the input after the access check: 400/409/415/422), ``R`` sent
elsewhere (a redirect, not to the sign-in page: done, or politely refused), ``L`` sign in first (a redirect to the
sign-in page; 401 in the API), ``V`` sent to the "confirm your email" page, ``F`` 403, ``N`` 404. A 5xx is always
a failure. Page requests carry no form data (CSRF is off; a form bound to an object then validates with the
object's own values), so a POST that passes the access check fails validation or acts; API writes carry a valid
body (``body=``) so that the access check, not the validation, decides. Every request runs in a savepoint that is
rolled back afterwards, so each one sees the same data.

A seventh account, a member of factory A whose email address is not confirmed, is checked against the rule of
hub.auth.identity on every route: it must get what the anonymous column says (``V`` for ``L`` on pages, 403 for
401 in the API).

A route of ``app.url_map`` without a row fails the test: add a row when you add a route. To see what the app does
now (e.g. for a new route), run with ``MATRIX_PROBE=1`` and ``-s``: the observed rows are printed.
"""

from __future__ import annotations

import io
import os
from datetime import timedelta

from hub.extensions import db
from tests.conftest import PASSWORD

ROLES = ("anonymous", "seeker", "member_a", "member_b", "successor", "organiser")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
UNUSED = {"static", "bootstrap.static"}  # framework files, no authorisation

# method, rule, {placeholder: object key}, outcomes (anonymous, seeker, member A, member B, successor, organiser)
ROWS: list[tuple[str, str, dict, str, dict | None]] = []
BODIES: dict[tuple[str, str], dict] = {}  # JSON bodies of API writes


def row(method: str, rule: str, outcomes: str, body: dict | None = None, query: str = "", **objects: str) -> None:
    outcomes = outcomes.replace(" ", "")
    assert len(outcomes) == len(ROLES) and set(outcomes) <= set("+RVLFN"), (rule, outcomes)
    if query:
        objects["?"] = query
    ROWS.append((method, rule, objects, outcomes, body))


# --- the table (first printed with MATRIX_PROBE, then read and checked row by row) -------------------------------
# Columns: anonymous · seeker · member of factory A · member of factory B · successor · organiser.
# The objects: factory A (the members' own; the seeker's need grants it its drawings; the deal's factory; the
# succession listing's and the Open Factory program's factory), the seeker's members-only need and deal, the
# successor's pending disclosure request, a pitch of the seeker's team, member B's open reviewer invitation, an
# unclaimed imported factory ("factory_free") and a held look-alike ("held_factory").

row("GET", "/", "++++++")
row("GET", "/about", "++++++")
row("GET", "/favicon.ico", "++++++")
row("POST", "/api/v1/auth/token", "LLLLLL", body={"email": "nobody@example.jp", "password": "wrong password"})
row("GET", "/api/v1/bookings/<int:booking_id>", "NNNNNN", booking_id="booking")
row("DELETE", "/api/v1/bookings/<int:booking_id>", "NNNNNN", booking_id="booking")
row("GET", "/api/v1/certificates/<code>", "++++++", code="certificate_code")
row("GET", "/api/v1/deals", "L+++++")
row("GET", "/api/v1/deals/<int:deal_id>", "L++NN+", deal_id="deal")
row("GET", "/api/v1/deals/<int:deal_id>/attachments/<int:attachment_id>", "L++NN+",
    deal_id="deal", attachment_id="deal_attachment")
row("POST", "/api/v1/deals/<int:deal_id>/close", "L++NNF",
    body={"outcome": "abandoned", "reason": "予算"}, deal_id="deal")
row("GET", "/api/v1/deals/<int:deal_id>/messages", "L++NN+", deal_id="deal")
row("POST", "/api/v1/deals/<int:deal_id>/messages", "L++NNF", body={"body": "こんにちは"}, deal_id="deal")
row("POST", "/api/v1/deals/<int:deal_id>/ratings", "L++NN+",
    body={"target": "requester", "quality": 5, "delivery": 5, "communication": 5}, deal_id="deal")
row("POST", "/api/v1/deals/<int:deal_id>/report", "L++NNF", body={"reason": "不適切なメッセージ"}, deal_id="deal")
row("POST", "/api/v1/deals/<int:deal_id>/steps/<int:step_id>/answer", "LF+NNF",
    body={"accept": False, "reason": "多忙"}, deal_id="deal", step_id="step")
row("POST", "/api/v1/deals/<int:deal_id>/steps/<int:step_id>/status", "LF+NNF",
    body={"status": "in_progress"}, deal_id="deal", step_id="step")
row("POST", "/api/v1/deals/<int:deal_id>/steps/<int:step_id>/withdraw", "L+FNNF", deal_id="deal", step_id="step")
row("POST", "/api/v1/deals/<int:deal_id>/steps/<int:step_id>/reroute", "L+FNNF", body={}, deal_id="deal",
    step_id="step")
row("POST", "/api/v1/deals/chains", "L+++F+",
    body={"steps": [{"factory_id": "@factory_a", "process": "milling"}], "message": "見積もりお願いします"})
row("POST", "/api/v1/deals/inquiries", "L+++F+", body={"factory_id": "@factory_a", "message": "見積もりお願いします"})
row("GET", "/api/v1/deals/notifications", "L+++++")
row("GET", "/api/v1/factories", "++++++")
row("GET", "/api/v1/factories/<int:factory_id>", "++++++", factory_id="factory_a")
row("PATCH", "/api/v1/factories/<int:factory_id>", "LF+FF+", body={"description": "更新"}, factory_id="factory_a")
row("GET", "/api/v1/kpis", "LFFFF+")
row("POST", "/api/v1/match/chain", "++++++", body={"steps": ["旋盤", "メッキ"], "ward": "ota"})
row("POST", "/api/v1/match/factories", "++++++", body={"text": "アルミ削り出し"})
row("GET", "/api/v1/openapi.json", "++++++")
row("GET", "/api/v1/openfactory/slots", "++++++")
row("GET", "/api/v1/openfactory/slots/<int:slot_id>", "++++++", slot_id="slot")
row("POST", "/api/v1/openfactory/slots/<int:slot_id>/bookings", "++++++",
    body={"name": "来場", "email": "v2@example.jp", "party_size": 1}, slot_id="slot")
row("GET", "/api/v1/succession/listings", "LFFF++")
row("GET", "/api/v1/succession/listings/<public_id>", "LFFF++", public_id="listing")
row("POST", "/api/v1/succession/listings/<public_id>/disclosures", "LFFF+F",
    body={"accept_nda": True, "nda_version": "@nda_version"}, public_id="listing")
row("GET", "/api/v1/succession/matches", "LFFF+F")
row("GET", "/api/v1/succession/nda", "LFFF++")
row("GET", "/api/v1/auth/tokens", "L+++++")
row("DELETE", "/api/v1/auth/tokens/<int:token_id>", "LN+NNN", token_id="token_a")
row("GET", "/auth/account/tokens", "L+++++")
row("POST", "/auth/account/tokens", "L+++++")
row("POST", "/auth/account/tokens/<int:token_id>/revoke", "LNRNNN", token_id="token_a")
# POST carries the team in its form (none here): the owner passes the access check, then gets 404 for "no team".
row("POST", "/match/needs/<int:need_id>/team", "L+NNFN", need_id="need")
row("GET", "/openfactory/confirm/<token>", "NNNNNN", token="=not-a-token")
row("POST", "/openfactory/confirm/<token>", "NNNNNN", token="=not-a-token")
row("POST", "/factories/<int:factory_id>/capabilities/review", "LF+FF+", factory_id="factory_a")
row("POST", "/needs/<int:need_id>/reading", "L+FFF+", need_id="need")
row("GET", "/auth/login", "+RRRRR")
row("POST", "/auth/login", "+RRRRR")
row("POST", "/auth/logout", "LRRRRR")
row("GET", "/auth/reset", "++++++")
row("POST", "/auth/reset", "++++++")
row("GET", "/auth/reset/<token>", "RRRRRR", token="=not-a-token")
row("POST", "/auth/reset/<token>", "RRRRRR", token="=not-a-token")
row("GET", "/auth/signup", "+RRRRR")
row("POST", "/auth/signup", "+RRRRR")
row("GET", "/auth/verify", "LRRRRR")
row("GET", "/auth/verify/<token>", "LVVVVV", token="=not-a-token")
row("POST", "/auth/verify/resend", "LRRRRR")
row("GET", "/checkin", "LF++F+")
row("POST", "/checkin", "LF++F+")
row("GET", "/checkin/list", "LF++F+")
row("POST", "/checkin/bookings/<int:booking_id>", "LFRFFR", booking_id="booking")
row("GET", "/deals/", "L+++++")
row("GET", "/deals/<int:deal_id>", "L++NN+", deal_id="deal")
row("POST", "/deals/<int:deal_id>/block", "L++NN+", deal_id="deal")
row("POST", "/deals/<int:deal_id>/close", "LRRNNR", deal_id="deal")
row("GET", "/deals/<int:deal_id>/files/<int:attachment_id>", "L++NN+", deal_id="deal", attachment_id="deal_attachment")
row("POST", "/deals/<int:deal_id>/messages", "L++NNF", deal_id="deal")  # an empty message: the page again, 400
row("POST", "/deals/<int:deal_id>/ratings", "LRRNNR", deal_id="deal")
row("POST", "/deals/<int:deal_id>/report", "LRRNNR", deal_id="deal")
row("POST", "/deals/<int:deal_id>/steps/<int:step_id>/answer", "LRRNNR", deal_id="deal", step_id="step")
row("POST", "/deals/<int:deal_id>/steps/<int:step_id>/status", "LRRNNR", deal_id="deal", step_id="step")
row("POST", "/deals/<int:deal_id>/steps/<int:step_id>/withdraw", "LRFNNF", deal_id="deal", step_id="step")
row("POST", "/deals/<int:deal_id>/steps/<int:step_id>/reroute", "LRFNNF", deal_id="deal", step_id="step")
row("GET", "/deals/chains/drafts/<int:draft_id>", "L+NNNN", draft_id="draft")
row("POST", "/deals/chains/drafts/<int:draft_id>", "LRNNNN", draft_id="draft")
row("GET", "/deals/chains/drafts/<int:draft_id>/review", "L+NNNN", draft_id="draft")
row("POST", "/deals/chains/drafts/<int:draft_id>/send", "LRNNNN", draft_id="draft")
row("POST", "/deals/<int:deal_id>/unblock", "L++NN+", deal_id="deal")
row("POST", "/deals/chains", "LRRRFR")
row("GET", "/deals/inquiries/new", "L+NNFN", query="need=@need&factory=@factory_a")
row("POST", "/deals/inquiries/new", "L+NNFN", query="need=@need&factory=@factory_a")
row("GET", "/deals/notifications", "L+++++")
row("GET", "/deals/notifications/preferences", "L+++++")
row("POST", "/deals/notifications/preferences", "LRRRRR")
row("POST", "/deals/notifications/read", "LRRRRR")
row("GET", "/deals/opportunities", "LF++FF")
row("GET", "/deals/reports", "LFFFF+")
row("POST", "/deals/reports/<int:report_id>/resolve", "LFFFFR", report_id="report")
row("GET", "/api/v1/orders/<int:order_id>", "L++NN+", order_id="order")
row("POST", "/api/v1/orders/<int:order_id>/acknowledge", "LF+NNF", order_id="order")
row("POST", "/api/v1/orders/<int:order_id>/deliver", "LF+NNF", order_id="order")
row("POST", "/api/v1/quote-requests", "L+NNFN",
    body={"need_id": "@need", "factory_ids": ["@factory_b"], "message": "見積をお願いします"})
row("GET", "/api/v1/quote-requests/<int:request_id>", "L+NNNN", request_id="quote_request")
row("GET", "/api/v1/quotes/<int:quote_id>", "L++NN+", quote_id="quote")
row("POST", "/api/v1/quotes/<int:quote_id>/accept", "L+FNNF", quote_id="quote")
row("GET", "/api/v1/quotes/chains/<int:deal_id>", "L+NNNN", deal_id="deal")
row("GET", "/api/v1/quotes/steps/<int:step_id>", "L++NN+", step_id="step")
row("POST", "/api/v1/quotes/steps/<int:step_id>", "LF+NFF", step_id="step",
    body={"lines": [{"description": "削り出し", "quantity": "10", "unit_price": "1200"}], "valid_until": "2099-12-31",
          "lead_days": 5})
row("GET", "/factories/", "++++++")
row("GET", "/factories/<int:factory_id>", "++++++", factory_id="factory_a")
row("GET", "/factories/<int:factory_id>/claim", "LFFFFF", factory_id="factory_free")
row("POST", "/factories/<int:factory_id>/claim", "LFFFFF", factory_id="factory_free")
row("GET", "/factories/<int:factory_id>/edit", "LF+FF+", factory_id="factory_a")
row("POST", "/factories/<int:factory_id>/edit", "LFRFFR", factory_id="factory_a")
row("POST", "/factories/<int:factory_id>/photos", "LFRFFR", factory_id="factory_a")
row("POST", "/factories/<int:factory_id>/photos/<int:photo_id>/delete", "LFRFFR",
    factory_id="factory_a", photo_id="photo")
row("GET", "/factories/claims", "LF++FF")
row("GET", "/factories/claims/confirm/<token>", "RRRRRR", token="=not-a-token")
row("GET", "/factories/mine", "LF++FF")
row("POST", "/factories/mine", "LFRRFF")
row("GET", "/factories/photos/<name>", "++++++", name="photo_name")
row("GET", "/factories/review", "LFFFF+")
row("POST", "/factories/review/claims/<int:claim_id>", "LFFFF+", claim_id="claim")
row("POST", "/factories/review/profiles/<int:factory_id>", "LFFFF+", factory_id="held_factory")
row("GET", "/home/", "L+++++")
row("GET", "/lang/<code>", "RRRRRR", code="=en")
row("POST", "/lang/<code>", "RRRRRR", code="=en")
row("GET", "/match/", "++++++")
row("GET", "/match/chain", "++++++")
row("GET", "/needs/", "++++++")
row("GET", "/needs/<int:need_id>", "N+++++", need_id="need")
row("POST", "/needs/<int:need_id>/attachments", "LRFFFR", need_id="need")
row("GET", "/needs/<int:need_id>/edit", "L+FFF+", need_id="need")
row("POST", "/needs/<int:need_id>/edit", "LRFFFR", need_id="need")
row("POST", "/needs/<int:need_id>/grants", "LRFFFR", need_id="need")
row("POST", "/needs/<int:need_id>/grants/<int:grant_id>/delete", "LRFFFR", need_id="need", grant_id="grant")
row("GET", "/needs/attachments/<int:attachment_id>", "L++NN+", attachment_id="need_attachment")
row("POST", "/needs/attachments/<int:attachment_id>/delete", "LRFFFR", attachment_id="need_attachment")
row("GET", "/needs/mine", "L+++++")
row("GET", "/needs/new", "L+++F+")
row("POST", "/needs/new", "L+++F+")
row("GET", "/openfactory/", "++++++")
row("GET", "/openfactory/bookings/<int:booking_id>", "NNNNNN", booking_id="booking")
row("GET", "/openfactory/bookings/<int:booking_id>/booking.ics", "NNNNNN", booking_id="booking")
row("GET", "/openfactory/bookings/<int:booking_id>/cancel", "NNNNNN", booking_id="booking")
row("POST", "/openfactory/bookings/<int:booking_id>/cancel", "NNNNNN", booking_id="booking")
row("POST", "/openfactory/bookings/<int:booking_id>/checkin", "LFRFFR", booking_id="booking")
row("GET", "/openfactory/bookings/<int:booking_id>/qr.png", "NNNNNN", booking_id="booking")
row("GET", "/openfactory/editions", "LFFFF+")
row("POST", "/openfactory/editions/<int:edition_id>/apply", "LFRRFF", edition_id="edition")
row("GET", "/openfactory/editions/<int:edition_id>/bookings.csv", "LFFFF+", edition_id="edition")
row("GET", "/openfactory/editions/<int:edition_id>/dashboard", "LFFFF+", edition_id="edition")
row("GET", "/openfactory/editions/<int:edition_id>/edit", "LFFFF+", edition_id="edition")
row("POST", "/openfactory/editions/<int:edition_id>/edit", "LFFFFR", edition_id="edition")
row("GET", "/openfactory/editions/<int:edition_id>/programs/new", "LF+RFF", edition_id="edition")
row("POST", "/openfactory/editions/<int:edition_id>/programs/new", "LF+RFF", edition_id="edition")
row("GET", "/openfactory/editions/new", "LFFFF+")
row("POST", "/openfactory/editions/new", "LFFFF+")
row("GET", "/openfactory/factories", "++++++")
row("GET", "/openfactory/mine", "LF++FF")
row("GET", "/openfactory/my/<token>", "NNNNNN", token="=not-a-token")
row("POST", "/openfactory/participations/<int:participation_id>/decide", "LFFFFR", participation_id="participation")
row("GET", "/openfactory/programs/<int:program_id>/edit", "LF+FF+", program_id="program")
row("POST", "/openfactory/programs/<int:program_id>/edit", "LFRFFR", program_id="program")
row("GET", "/openfactory/programs/<int:program_id>/slots/new", "LF+FF+", program_id="program")
row("POST", "/openfactory/programs/<int:program_id>/slots/new", "LF+FF+", program_id="program")
row("GET", "/openfactory/slots/<int:slot_id>", "++++++", slot_id="slot")
row("POST", "/openfactory/slots/<int:slot_id>", "++++++", slot_id="slot")
row("GET", "/openfactory/slots/<int:slot_id>/edit", "LF+FF+", slot_id="slot")
row("POST", "/openfactory/slots/<int:slot_id>/edit", "LF+FF+", slot_id="slot")
row("GET", "/openfactory/slots/<int:slot_id>/roster", "LF+FF+", slot_id="slot")
row("POST", "/openfactory/slots/<int:slot_id>/walk-ins", "LFRFFR", slot_id="slot")
row("GET", "/organiser/aliases", "LFFFF+")
row("POST", "/organiser/aliases", "LFFFF+")
row("POST", "/organiser/aliases/<int:alias_id>/delete", "LFFFFR", alias_id="alias")
row("GET", "/organiser/cluster-risk", "LFFFF+")
row("GET", "/organiser/cluster-risk.csv", "LFFFF+")
row("GET", "/organiser/dashboard", "LFFFF+")
row("POST", "/organiser/dashboard", "LFFFF+")
row("GET", "/organiser/dashboard/kpis.csv", "LFFFF+")
row("GET", "/organiser/imports", "LFFFF+")
row("POST", "/organiser/imports", "LFFFF+")
row("GET", "/organiser/imports/<int:job_id>", "LFFFF+", job_id="job")
row("GET", "/organiser/imports/<int:job_id>.json", "LFFFF+", job_id="job")
row("GET", "/organiser/imports/template.csv", "LFFFF+")
row("POST", "/organiser/imports/<int:job_id>/start", "LFFFFR", job_id="job")
row("POST", "/organiser/imports/<int:job_id>/discard", "LFFFFR", job_id="job")
row("POST", "/organiser/imports/<int:job_id>/undo", "LFFFFR", job_id="job")
row("GET", "/organiser/outbox/", "LFFFF+")
row("GET", "/organiser/outbox/<int:message_id>", "LFFFF+", message_id="message")
row("GET", "/pitch-nights/", "++++++")
row("GET", "/pitch-nights/<int:night_id>", "++++++", night_id="night")
row("GET", "/pitch-nights/<int:night_id>/edit", "LFFFF+", night_id="night")
row("POST", "/pitch-nights/<int:night_id>/edit", "LFFFF+", night_id="night")
row("POST", "/pitch-nights/<int:night_id>/register", "RRRRRR", night_id="night")
row("GET", "/pitch-nights/<int:night_id>/review", "LFFFF+", night_id="night")
row("GET", "/pitch-nights/<int:night_id>/roster", "LFFFFR", night_id="night")
row("POST", "/pitch-nights/<int:night_id>/running-order", "LFFFFR", night_id="night")
row("POST", "/pitch-nights/<int:night_id>/send-decisions", "LFFFFR", night_id="night")
row("GET", "/pitch-nights/<int:night_id>/submit", "L+FFFF", night_id="night")
row("POST", "/pitch-nights/<int:night_id>/submit", "L+FFFF", night_id="night")
row("GET", "/pitch-nights/invitations", "L+++++")
row("POST", "/pitch-nights/invitations/<int:invitation_id>/accept", "LNNRNN", invitation_id="invitation")
row("GET", "/pitch-nights/new", "LFFFF+")
row("POST", "/pitch-nights/new", "LFFFF+")
row("GET", "/pitch-nights/pitches/<int:pitch_id>", "L+NNN+", pitch_id="pitch")
row("POST", "/pitch-nights/pitches/<int:pitch_id>", "LFNNN+", pitch_id="pitch")
row("POST", "/pitch-nights/pitches/<int:pitch_id>/decide", "LFFFFR", pitch_id="pitch")
row("GET", "/quotes/<int:quote_id>.pdf", "L++NN+", quote_id="quote")
row("POST", "/quotes/<int:quote_id>/accept", "LRFNNF", quote_id="quote")
row("GET", "/quotes/chains/<int:deal_id>", "L+NNNN", deal_id="deal")
row("GET", "/quotes/orders/<int:order_id>", "L++NN+", order_id="order")
row("GET", "/quotes/orders/<int:order_id>.pdf", "L++NN+", order_id="order")
row("POST", "/quotes/orders/<int:order_id>/acknowledge", "LFRNNF", order_id="order")
row("POST", "/quotes/orders/<int:order_id>/deliver", "LFRNNF", order_id="order")
row("GET", "/quotes/requests/<int:request_id>", "L+NNNN", request_id="quote_request")
row("GET", "/quotes/requests/new", "L+NNNN", query="need=@need")
row("POST", "/quotes/requests/new", "L+NNNN", query="need=@need")
row("GET", "/quotes/settings", "LF++FF")
row("POST", "/quotes/settings", "LFRRFF")
row("GET", "/quotes/steps/<int:step_id>", "L++NN+", step_id="step")
row("GET", "/quotes/steps/<int:step_id>/new", "LF+NFF", step_id="step")
row("POST", "/quotes/steps/<int:step_id>/new", "LF+NFF", step_id="step")
row("GET", "/succession/", "++++++")
row("POST", "/succession/disclosures/<int:disclosure_id>/<any(approve, decline, revoke):decision>", "LFRNFF",
    disclosure_id="disclosure", decision="=approve")
row("GET", "/succession/l/<public_id>", "LN+N++", public_id="listing")
row("POST", "/succession/l/<public_id>/<any(submit, pause, resume, withdraw):action>", "LNRNFR",
    public_id="listing", action="=pause")
row("POST", "/succession/l/<public_id>/approve", "LFFFFR", public_id="listing")
row("GET", "/succession/l/<public_id>/audit", "LN+NF+", public_id="listing")
row("GET", "/succession/l/<public_id>/disclose", "LFFFRF", public_id="listing")
row("POST", "/succession/l/<public_id>/disclose", "LFFFRF", public_id="listing")
row("POST", "/succession/l/<public_id>/documents", "LFRNFF", public_id="listing")
row("GET", "/succession/l/<public_id>/documents/<int:document_id>", "LN+NN+",
    public_id="listing", document_id="document")
row("POST", "/succession/l/<public_id>/documents/<int:document_id>/delete", "LFRNFF",
    public_id="listing", document_id="document")
row("GET", "/succession/l/<public_id>/edit", "LF+NFF", public_id="listing")
row("POST", "/succession/l/<public_id>/edit", "LFRNFF", public_id="listing")
row("GET", "/succession/l/<public_id>/photos/<int:photo_id>", "LN+NN+", public_id="listing", photo_id="photo")
row("POST", "/succession/l/<public_id>/return", "LFFFFR", public_id="listing")
row("GET", "/succession/l/<public_id>/successors", "LN+NF+", public_id="listing")
row("GET", "/succession/listings", "LFFF++")
row("GET", "/succession/mine", "LF++FF")
row("GET", "/succession/nda", "LFFFF+")
row("POST", "/succession/nda", "LFFFFR")
row("GET", "/succession/new", "LFR+FF")
row("POST", "/succession/new", "LFR+FF")
row("GET", "/succession/outreach", "LFFFF+")
row("GET", "/succession/outreach.csv", "LFFFF+")
row("GET", "/succession/outreach/<int:factory_id>", "LFFFF+", factory_id="factory_a")
row("POST", "/succession/outreach/<int:factory_id>", "LFFFF+", factory_id="factory_a")
row("POST", "/succession/outreach/<int:factory_id>/notes", "LFFFFR", factory_id="factory_a")
row("GET", "/succession/profile", "LFFF+F")
row("POST", "/succession/profile", "LFFFRF")
row("GET", "/succession/requests", "LFFF+F")
row("GET", "/succession/review", "LFFFF+")

# Skill transfer (hub/people): the seeker is a master; factory A's employee (no account) is the junior of the active
# "pair" and of the certified "pair_done"; factory A wrote a private know-how "card" with a clip; factory A offers a
# school visit ("offer") the seeker applied to ("application").
row("GET", "/people/", "++++++")
row("GET", "/people/cards", "++++++")
row("GET", "/people/cards/<int:card_id>", "NN+NN+", card_id="card")
row("GET", "/people/cards/<int:card_id>/edit", "LN+NN+", card_id="card")
row("GET", "/people/cards/<int:card_id>/media/<int:media_id>", "NN+NN+", card_id="card", media_id="card_media")
row("GET", "/people/cards/new", "L+++FF")
row("GET", "/people/juniors/<int:junior_id>/edit", "LF+FF+", junior_id="junior")
row("GET", "/people/juniors/<int:junior_id>/suggestions", "LF+FF+", junior_id="junior")
row("GET", "/people/juniors/new", "L+++++")
row("GET", "/people/masters/<int:master_id>/edit", "L+FFF+", master_id="master")
row("GET", "/people/masters/new", "LR++++")
row("GET", "/people/office/allowances", "LFFFF+")
row("GET", "/people/office/allowances.csv", "LFFFF+")
row("GET", "/people/office/outreach", "LFFFF+")
row("GET", "/people/office/settings", "LFFFF+")
row("GET", "/people/office/templates", "LFFFF+")
row("GET", "/people/outreach", "++++++")
row("GET", "/people/outreach/<int:offer_id>", "++++++", offer_id="offer")
row("GET", "/people/outreach/<int:offer_id>/edit", "LF+FF+", offer_id="offer")
row("GET", "/people/outreach/new", "LF++FF")
row("GET", "/people/pairs", "LFFFF+")
row("GET", "/people/pairs/<int:pair_id>", "L++NN+", pair_id="pair")
row("GET", "/people/pairs/<int:pair_id>/certificate", "L++NN+", pair_id="pair_done")
row("GET", "/people/pairs/<int:pair_id>/certificate.pdf", "L++NN+", pair_id="pair_done")
row("GET", "/people/people", "LFFFF+")
row("GET", "/people/sessions/<int:session_id>/photos/<int:photo_id>", "L++NN+",
    session_id="training", photo_id="training_photo")
row("GET", "/people/verify", "++++++", query="code=@certificate_code")
row("POST", "/people/cards/<int:card_id>/delete", "LNRNNR", card_id="card")
row("POST", "/people/cards/<int:card_id>/edit", "LNRNNR", card_id="card")
row("POST", "/people/cards/<int:card_id>/media", "LNRNNR", card_id="card")
row("POST", "/people/cards/<int:card_id>/media/<int:media_id>/delete", "LNRNNR", card_id="card", media_id="card_media")
row("POST", "/people/cards/new", "L+++FF")
row("POST", "/people/juniors/<int:junior_id>/edit", "LF+FF+", junior_id="junior")
row("POST", "/people/juniors/<int:junior_id>/propose/<int:master_id>", "LFRFFR", junior_id="junior", master_id="master")
row("POST", "/people/juniors/new", "L+++++")
row("POST", "/people/masters/<int:master_id>/edit", "L+FFF+", master_id="master")
row("POST", "/people/masters/new", "LR++++")
row("POST", "/people/milestones/<int:milestone_id>/reached", "LFFFFR", milestone_id="milestone")
row("POST", "/people/office/allowances", "LFFFF+")
row("POST", "/people/office/settings", "LFFFF+")
row("POST", "/people/office/templates", "LFFFF+")
row("POST", "/people/outreach/<int:offer_id>", "L+++++", offer_id="offer")
row("POST", "/people/outreach/<int:offer_id>/edit", "LF+FF+", offer_id="offer")
row("POST", "/people/outreach/applications/<int:application_id>/decide", "LRRNNR", application_id="application")
row("POST", "/people/outreach/new", "LF++FF")
row("POST", "/people/pairs/<int:pair_id>/answer", "LRRNNR", pair_id="pair")
row("POST", "/people/pairs/<int:pair_id>/certify", "LFFFFR", pair_id="pair")
row("POST", "/people/pairs/<int:pair_id>/confirm", "LFFFFR", pair_id="pair")
row("POST", "/people/pairs/<int:pair_id>/end", "LFFFFR", pair_id="pair")
row("POST", "/people/pairs/<int:pair_id>/sessions", "L++NN+", pair_id="pair")
row("POST", "/people/sessions/<int:session_id>/confirm", "LRRNNR", session_id="training")


# --- the world: two factories, one account per role, and one object of each kind --------------------------------

def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


def _users(app) -> dict:
    """One confirmed account per role (cheap password hashes: the table signs in a dozen times)."""
    from werkzeug.security import generate_password_hash

    from hub.auth.models import Organisation, User
    from hub.core.timeutil import utcnow
    from hub.factories.models import Factory
    from hub.factories.services import update_profile

    fast = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    ids = {}
    with app.test_request_context():
        factories = {}
        for key, name, ward, site in (("factory_a", "マトリクス工業A", "ota", "https://matrix-a.example.jp"),
                                      ("factory_b", "マトリクス工業B", "sumida", None),
                                      ("factory_free", "マトリクス未管理工業", "ota", "https://matrix-free.example.jp")):
            factory = update_profile(Factory(external_id=f"matrix-{key}"), {
                "name": name, "ward": ward, "processes": ["MC加工", "平面研削"], "materials": ["A5052"],
                "website": site, "description": "マシニングと研削"})
            if key != "factory_free":
                factory.organisation = Organisation(kind="factory", name=name)
            factories[key] = factory
        held = update_profile(Factory(), {"name": "マトリクス工業A", "ward": "ota"})
        held.organisation = Organisation(kind="factory", name="そっくり")
        held.review_status, held.is_published = "held", False
        db.session.flush()
        org = {"member_a": factories["factory_a"].organisation, "member_b": factories["factory_b"].organisation,
               "seeker": Organisation(kind="team", name="マトリクスラボ")}
        for role_key, role in (("seeker", "seeker"), ("member_a", "factory"), ("member_b", "factory"),
                               ("successor", "successor"), ("organiser", "organiser")):
            user = User(email=f"matrix-{role_key}@example.jp", name=f"Matrix {role_key}", role=role, locale="ja",
                        password_hash=fast, email_verified_at=utcnow(), organisation=org.get(role_key))
            db.session.add(user)
            db.session.flush()
            ids[role_key] = user.id
        unverified = User(email="matrix-unverified@example.jp", name="Matrix unverified", role="factory",
                          locale="ja", password_hash=fast, organisation=org["member_a"])
        db.session.add(unverified)
        ids.update({key: f.id for key, f in factories.items()}, held_factory=held.id)
        db.session.commit()
    return ids


def _client(app, email: str):
    client = app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def _clients(app) -> dict:
    clients = {"anonymous": app.test_client()}
    for role in (*ROLES[1:], "unverified"):
        clients[role] = _client(app, f"matrix-{role}@example.jp")
    return clients


def _tokens(app) -> dict:
    tokens = {"anonymous": {}}
    client = app.test_client()
    for role in ROLES[1:]:
        response = client.post("/api/v1/auth/token", json={"email": f"matrix-{role}@example.jp", "password": PASSWORD})
        tokens[role] = {"Authorization": f"Bearer {response.get_json()['token']}"}
    from hub.auth.models import ApiToken
    from hub.auth.services import find_user

    with app.app_context():  # the API would not issue one to an unconfirmed account: make it by hand
        token, raw = ApiToken.issue(find_user("matrix-unverified@example.jp"), 30)
        db.session.add(token)
        db.session.commit()
    tokens["unverified"] = {"Authorization": f"Bearer {raw}"}
    return tokens


def _needs_and_deals(app, ids: dict, clients: dict) -> None:
    from hub.deals.models import Deal, DealAttachment, DealReport
    from hub.factories.models import Factory, FactoryPhoto
    from hub.needs.models import Need, NeedAttachment, NeedGrant
    from hub.needs.services import grant, save_need

    with app.app_context():
        need = save_need(Need(owner_id=ids["seeker"]), {
            "title": "マトリクス筐体", "description": "アルミ削り出し", "processes": ["MC加工"], "materials": ["A5052"],
            "quantity": 10, "deadline": None, "budget_band": "undecided", "kind": "fabrication",
            "visibility": "members", "attachment_access": "granted", "status": "open", "language": "ja"})
        grant(need, db.session.get(Factory, ids["factory_a"]))
        db.session.commit()
        ids["need"] = need.id
        ids["grant"] = db.session.scalar(db.select(NeedGrant.id).where(NeedGrant.need_id == need.id))
    seeker, member_a = clients["seeker"], clients["member_a"]
    seeker.post(f"/needs/{ids['need']}/attachments", data={"file": (io.BytesIO(PDF), "m.pdf")},
                content_type="multipart/form-data")
    member_a.post(f"/factories/{ids['factory_a']}/photos", data={"photo": (io.BytesIO(_jpeg()), "a.jpg")},
                  content_type="multipart/form-data")
    response = seeker.post(f"/deals/inquiries/new?need={ids['need']}&factory={ids['factory_a']}",
                           data={"message": "10個お願いします", "quantity": "10", "phone": "03-1111-2222"})
    ids["deal"] = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        ids["step"] = db.session.get(Deal, ids["deal"]).steps[0].id
    response = seeker.post("/deals/chains", data={"steps-0-process": "milling", "steps-0-factory": ids["factory_a"],
                                                  "steps-0-candidates": str(ids["factory_b"])})
    ids["draft"] = int(response.headers["Location"].rsplit("/", 1)[1])  # the seeker's chain request, not sent
    member_a.post(f"/deals/{ids['deal']}/steps/{ids['step']}/answer", data={"decision": "accept",
                                                                              "phone": "03-9999-0000"})
    seeker.post(f"/deals/{ids['deal']}/messages", data={"body": "図面です", "files": (io.BytesIO(PDF), "d.pdf")},
                content_type="multipart/form-data")
    seeker.post(f"/deals/{ids['deal']}/report", data={"reason": "テストの報告です。"})
    with app.app_context():
        ids["need_attachment"] = db.session.scalar(db.select(NeedAttachment.id))
        ids["photo"] = db.session.scalar(db.select(FactoryPhoto.id))
        ids["photo_name"] = db.session.scalar(db.select(FactoryPhoto.stored_name))
        ids["deal_attachment"] = db.session.scalar(db.select(DealAttachment.id))
        ids["report"] = db.session.scalar(db.select(DealReport.id))
    assert all(ids[k] for k in ("need_attachment", "photo", "deal_attachment", "report")), ids


def _quotes(app, ids: dict) -> None:
    """Member A quoted the seeker's step, the seeker accepted (an order is issued); a request for quotes groups it."""
    from hub.auth.models import User
    from hub.core.timeutil import tokyo_today
    from hub.deals.models import DealStep
    from hub.quotes import services
    from hub.quotes.models import QuoteRequest, QuoteRequestItem

    with app.test_request_context():
        step = db.session.get(DealStep, ids["step"])
        quote = services.submit_quote(db.session.get(User, ids["member_a"]), step, services.QuoteInput(
            lines=[services.LineInput("削り出し", "10", "1200")], valid_until=tokyo_today() + timedelta(days=30),
            lead_days=5))
        order = services.accept_quote(db.session.get(User, ids["seeker"]), quote)
        request = QuoteRequest(need_id=ids["need"], requester_id=ids["seeker"], title="マトリクス筐体",
                               items=[QuoteRequestItem(step_id=step.id)])
        db.session.add(request)
        db.session.commit()
        ids.update(quote=quote.id, order=order.id, quote_request=request.id)


def _succession(app, ids: dict, clients: dict) -> None:
    from hub.auth.models import User
    from hub.factories.models import Factory
    from hub.succession import services
    from hub.succession.models import ListingDocument

    with app.test_request_context():
        owner = db.session.get(User, ids["member_a"])
        listing = services.create_listing(owner, db.session.get(Factory, ids["factory_a"]), {
            "processes": ["surface_grinding"], "machines": ["平面研削盤"], "employees_band": "1_4",
            "revenue_band": "under_30m", "years_band": "50_plus", "reason": "age", "reason_text": "後継ぎがいません。",
            "description": "研削の工場です。", "schemes": ["sale"], "includes": ["equipment"], "timing": "within_1y"})
        listing.status = "published"
        listing.published_at = listing.submitted_at = listing.reviewed_at = services.utcnow()
        successor = db.session.get(User, ids["successor"])
        services.save_profile(successor, {"background": "生産技術", "processes": ["surface_grinding"]})
        disclosure = services.request_disclosure(listing, successor, accepted=True,
                                                 nda_version=services.current_nda().version)
        db.session.commit()
        ids["listing"], ids["disclosure"] = listing.public_id, disclosure.id
        ids["nda_version"] = services.current_nda().version
    clients["member_a"].post(f"/succession/l/{ids['listing']}/documents", data={"file": (io.BytesIO(PDF), "s.pdf")},
                             content_type="multipart/form-data")
    with app.app_context():
        ids["document"] = db.session.scalar(db.select(ListingDocument.id))
    assert ids["document"]


def _events(app, ids: dict, clients: dict) -> None:
    from hub.core.timeutil import tokyo_today, utcnow
    from hub.events.models import Booking, Edition, Participation, Pitch, PitchCriterion, PitchNight, Program, Slot
    from hub.events.reviewers import sync_invitations

    now = utcnow().replace(microsecond=0)
    with app.app_context():
        today = tokyo_today()
        edition = Edition(name="マトリクスOF", starts_on=today, ends_on=today + timedelta(days=5),
                          applications_open_on=today - timedelta(days=10),
                          applications_close_on=today + timedelta(days=3))
        db.session.add(edition)
        db.session.flush()
        participation = Participation(edition_id=edition.id, factory_id=ids["factory_a"], status="approved")
        program = Program(edition_id=edition.id, factory_id=ids["factory_a"], kind="tour", title="見学")
        slot = Slot(program=program, starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=1),
                    capacity=10)
        night = PitchNight(title="マトリクスナイト", venue="PiO", starts_at=now + timedelta(days=20),
                           ends_at=now + timedelta(days=20, hours=2), cfp_opens_at=now - timedelta(days=1),
                           cfp_closes_at=now + timedelta(days=10), reviewer_emails=["matrix-member_b@example.jp"])
        night.slot = Slot(starts_at=night.starts_at, ends_at=night.ends_at, capacity=50)
        night.criteria = [PitchCriterion(name="実現可能性", weight=1, position=0)]
        db.session.add_all([participation, program, slot, night])
        db.session.flush()
        pitch = Pitch(pitch_night_id=night.id, submitter_id=ids["seeker"], title="土壌センサー", summary="s", team="t",
                      needs="アルミ")
        db.session.add(pitch)
        (invitation,) = sync_invitations(night, night.reviewer_emails)
        db.session.commit()
        ids.update(edition=edition.id, participation=participation.id, program=program.id, slot=slot.id,
                   night=night.id, pitch=pitch.id, invitation=invitation.id)
    response = app.test_client().post(f"/api/v1/openfactory/slots/{ids['slot']}/bookings",
                                      json={"name": "来場者", "email": "visitor@example.jp", "party_size": 1})
    assert response.status_code == 201, response.get_json()
    ids["booking"] = response.get_json()["id"]
    with app.app_context():
        assert db.session.get(Booking, ids["booking"]) is not None


def _office(app, ids: dict) -> None:
    from hub.factories.models import FactoryClaim
    from hub.mail.models import EmailMessage
    from hub.matches.models import CapabilityAlias, ImportJob

    with app.app_context():
        alias = CapabilityAlias(alias="まとりくす", kind="process", code="surface_grinding")
        job = ImportJob(user_id=ids["organiser"], filename="d.csv", stored_name="matrix-none.csv", status="done")
        claim = FactoryClaim(factory_id=ids["factory_free"], user_id=ids["member_b"], method="organiser")
        db.session.add_all([alias, job, claim])
        db.session.commit()
        ids.update(alias=alias.id, job=job.id, claim=claim.id,
                   message=db.session.scalar(db.select(EmailMessage.id)))


def _people(app, ids: dict) -> None:
    """The seeker is a master; factory A's employee (no account) is the junior of an active and a certified pair;
    factory A has a private know-how card with a clip and offers a school visit the seeker applied to."""
    from datetime import datetime
    from decimal import Decimal

    from werkzeug.datastructures import FileStorage

    from hub.core import uploads
    from hub.people import models as p

    with app.test_request_context():
        now = datetime(2026, 1, 5)
        master = p.Master(user_id=ids["seeker"], name="親方", ward="ota",
                          skills=[p.MasterSkill(process_code="surface_grinding", years=30, level=5)])
        junior = p.Junior(name="弟子", employer_id=ids["factory_a"], kind="employee", goals=["surface_grinding"],
                          ward="ota")
        pairs = []
        for status in ("active", "certified"):
            pair = p.Pair(master=master, junior=junior, process_code="surface_grinding", status=status,
                          master_accepted_at=now, junior_accepted_at=now, confirmed_at=now,
                          started_on=tokyo_date() - timedelta(days=30),
                          certified_on=tokyo_date() if status == "certified" else None)
            pair.milestones = [p.Milestone(position=0, title="基本", target_hours=10)]
            photo = uploads.save_photo(FileStorage(io.BytesIO(_jpeg()), "a.jpg"))
            pair.sessions = [p.TrainingSession(held_on=tokyo_date(), hours=Decimal(2), skills=["surface_grinding"],
                                               master_confirmed_at=now, photos=[p.SessionPhoto(
                                                   stored_name=photo.stored_name, size_bytes=photo.size_bytes)])]
            pairs.append(pair)
        pairs[1].certificate = p.Certificate(code="MJ-2345-6789-ABCD", milestone_title="基本", junior_name="弟子",
                                             master_name="親方", process_code="surface_grinding",
                                             certified_on=tokyo_date())
        clip = uploads.save_video(FileStorage(io.BytesIO(b"\x00\x00\x00\x18ftypmp42" + bytes(64)), "c.mp4"),
                                  p.CardMedia.upload_kind)
        card = p.KnowhowCard(title="研削の勘所", process_code="surface_grinding", factory_id=ids["factory_a"],
                             visibility="private", steps="一")
        card.media = [p.CardMedia(kind="video", **p.CardMedia.stored_columns(clip))]
        offer = p.OutreachOffer(factory_id=ids["factory_a"], kind="visit", title="出前授業", places=2)
        offer.applications = [p.OutreachApplication(applicant_id=ids["seeker"], school="区立中学校")]
        db.session.add_all([master, junior, *pairs, card, offer])
        db.session.commit()
        ids.update(master=master.id, junior=junior.id, pair=pairs[0].id, pair_done=pairs[1].id,
                   training=pairs[0].sessions[0].id, training_photo=pairs[0].sessions[0].photos[0].id,
                   milestone=pairs[0].milestones[0].id, certificate_code=pairs[1].certificate.code, card=card.id,
                   card_media=card.media[0].id, offer=offer.id, application=offer.applications[0].id)


def tokyo_date():
    from hub.core.timeutil import tokyo_today

    return tokyo_today()


def build_world(app) -> tuple[dict, dict, dict]:
    ids = _users(app)
    clients = _clients(app)
    _needs_and_deals(app, ids, clients)
    _quotes(app, ids)
    _succession(app, ids, clients)
    _events(app, ids, clients)
    _office(app, ids)
    _people(app, ids)
    tokens = _tokens(app)
    from hub.auth.models import ApiToken

    with app.app_context():  # member A's own API token, for the token pages
        ids["token_a"] = db.session.scalar(db.select(ApiToken.id).where(ApiToken.user_id == ids["member_a"]))
    return ids, clients, tokens


# --- running the table ----------------------------------------------------------------------------------------

def resolve(body, ids: dict):
    """A JSON body with ``"@key"`` strings replaced by the ids of the world's objects."""
    if isinstance(body, dict):
        return {k: resolve(v, ids) for k, v in body.items()}
    if isinstance(body, list):
        return [resolve(v, ids) for v in body]
    return ids[body[1:]] if isinstance(body, str) and body.startswith("@") else body


def unverified_expectation(rule: str, anonymous: str) -> str | None:
    """The one rule of hub.auth.identity: outside its account pages, a member of factory A whose address is not
    confirmed gets what a visitor gets — sent to "confirm your email" (V) where a visitor is sent to sign in, and a
    403 from the API where a visitor gets 401."""
    if rule.startswith(("/auth/", "/api/v1/auth/")):  # account pages (tested in tests/test_identity.py)
        return None
    if rule.startswith("/api/"):
        return "F" if anonymous == "L" else anonymous
    return "V" if anonymous == "L" else anonymous


def classify(response) -> str:
    status = response.status_code
    if status >= 500:
        return "!"
    if status == 401 or (300 <= status < 400 and "/auth/login" in response.headers.get("Location", "")):
        return "L"
    if 300 <= status < 400:
        return "V" if response.headers.get("Location", "").endswith("/auth/verify") else "R"
    return {403: "F", 404: "N"}.get(status, "+")


def fill(rule: str, objects: dict, ids: dict) -> str:
    """The rule with its placeholders replaced: ``objects`` maps a placeholder to a key of ``ids`` or ``=literal``."""
    import re

    def value(match) -> str:
        ref = objects[match.group(1)]
        return ref[1:] if ref.startswith("=") else str(ids[ref])

    path = re.sub(r"<(?:[^:<>]*:)?([^<>:]+)>", value, rule)
    if "?" in objects:
        path += "?" + re.sub(r"@(\w+)", lambda m: str(ids[m.group(1)]), objects["?"])
    return path


def served_routes(app) -> set[tuple[str, str]]:
    """(method, rule) of every route the app answers, apart from framework files."""
    return {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint not in UNUSED
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_a_route_without_a_row_is_reported(make_app):
    other = make_app()
    other.add_url_rule("/organiser/new-secret-page", "new_secret_page", lambda: "secret")
    uncovered = served_routes(other) - {(method, rule) for method, rule, *_ in ROWS}
    assert uncovered == {("GET", "/organiser/new-secret-page")}


def test_every_route_and_role_gets_the_expected_answer(app):
    ids, clients, tokens = build_world(app)
    served = served_routes(app)
    table = {(method, rule): (objects, outcomes, body) for method, rule, objects, outcomes, body in ROWS}
    assert len(table) == len(ROWS), "a route has two rows"
    missing = sorted(served - set(table))
    stale = sorted(set(table) - served)
    with app.app_context():
        connection = db.session.get_bind()
    probe = os.environ.get("MATRIX_PROBE")
    failures = []
    # Reads first: a permitted delete removes the file from disk even though its row is rolled back.
    order = sorted(served & set(table), key=lambda key: (key[0] != "GET", key[1], key[0]))
    for method, rule in order:
        objects, expected, body = table[(method, rule)]
        path = fill(rule, objects, ids)
        observed = ""
        for role in (*ROLES, "unverified"):
            api = rule.startswith("/api/")
            client = app.test_client() if api else (
                _client(app, f"matrix-{role}@example.jp") if rule == "/auth/logout" and role != "anonymous"
                else clients[role])
            savepoint = connection.begin_nested()
            try:
                with client.open(path, method=method, headers=tokens[role] if api else {},
                             json=resolve(body, ids)) as response:
                    observed += classify(response)
            finally:
                savepoint.rollback()
        observed, as_unverified = observed[:-1], observed[-1]
        if probe:
            print(f'row("{method}", "{rule}", "{observed}"{_objects_text(objects, body)})')
        wanted = unverified_expectation(rule, expected[0])
        if wanted is not None and as_unverified != wanted:
            failures.append(f"{method} {path}: an unconfirmed member of factory A got {as_unverified}, not {wanted}")
        if observed != expected:
            failures.append(f"{method} {path}: expected {expected}, observed {observed}  ({' '.join(ROLES)})")
    assert not missing, "routes without a row in the authorisation matrix (add one):\n" + "\n".join(
        f"{m} {r}" for m, r in missing)
    assert not stale, f"rows for routes that no longer exist: {stale}"
    assert not failures, "\n".join(failures)


def _objects_text(objects: dict, body: dict | None) -> str:
    return (f", body={body!r}" if body else "") + "".join(
        f', query="{v}"' if k == "?" else f', {k}="{v}"' for k, v in objects.items())
