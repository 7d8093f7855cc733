"""A factory's quote settings: its qualified-invoice registration number and its working calendar."""

from __future__ import annotations

from flask_babel import gettext as _

from hub.auth.models import User
from hub.extensions import db
from hub.factories.access import user_factory_id
from hub.quotes import registration
from hub.quotes.access import NotAllowed, QuoteError
from hub.quotes.models import IssuerSettings
from hub.quotes.workdays import closures_from

MAX_CLOSURES = 12


def parse_closures(text: str) -> list[dict]:
    """Lines ``MM-DD MM-DD label`` (e.g. ``08-13 08-16 お盆``) as stored rows; QuoteError on a bad line."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        parts = line.replace("〜", " ").replace("~", " ").split(maxsplit=2)
        if not parts:
            continue
        if len(parts) < 2:
            raise QuoteError(_("Line %(n)s: write the first and last day, like 08-13 08-16 お盆.", n=number), 400,
                             "closures")
        rows.append({"from": parts[0], "to": parts[1], "label": parts[2] if len(parts) > 2 else ""})
    if len(rows) > MAX_CLOSURES:
        raise QuoteError(_("At most %(n)s closing periods.", n=MAX_CLOSURES), 400, "closures")
    try:
        return [closure.as_dict() for closure in closures_from(rows)]
    except ValueError:
        raise QuoteError(_("A day is not a valid month-day like 12-29."), 400, "closures") from None


def closures_text(settings: IssuerSettings) -> str:
    from hub.quotes.ordering import default_closures

    rows = settings.closures if settings.closures is not None else [c.as_dict() for c in default_closures()]
    return "\n".join(f"{r['from']} {r['to']} {r.get('label', '')}".strip() for r in rows)


def save_settings(actor: User, factory_id: int, *, invoice_number: str | None, works_saturday: bool,
                  closures: str) -> IssuerSettings:
    """A member of the factory saves its settings (the number is checked: T + 13 digits with its check digit)."""
    if user_factory_id(actor) != factory_id:
        raise NotAllowed()
    try:
        number = registration.clean(invoice_number)
    except ValueError:
        raise QuoteError(_("Not a valid registration number: T followed by 13 digits, with a correct check digit."),
                         400, "invoice_number") from None
    settings = db.session.get(IssuerSettings, factory_id) or IssuerSettings(factory_id=factory_id)
    settings.invoice_number, settings.works_saturday = number, bool(works_saturday)
    settings.closures = parse_closures(closures)
    db.session.add(settings)
    db.session.flush()
    return settings
