"""The quotes domain's public services (pages, the API, the CLI and other domains import from here).

Split by concern: :mod:`hub.quotes.quoting` (a factory's quote and its revisions), :mod:`hub.quotes.ordering`
(accepting, the order and its acknowledgement, delivery, expiry), :mod:`hub.quotes.rfq` (asking several
factories and comparing), :mod:`hub.quotes.chains` (a chain's totals and critical path), :mod:`hub.quotes.access`
(who sees what). Pure rules without the database: :mod:`hub.quotes.pricing`, :mod:`hub.quotes.workdays`,
:mod:`hub.quotes.schedule`, :mod:`hub.quotes.registration`. Services add and flush; views commit.
"""

from __future__ import annotations

from hub.quotes.access import (  # noqa: F401  (re-exported)
    NotAllowed,
    QuoteError,
    can_view_step_quotes,
    has_open_report,
    is_factory_side,
    is_party,
    is_requester,
)
from hub.quotes.chains import ChainTotals, chain_totals  # noqa: F401
from hub.quotes.ordering import (  # noqa: F401
    accept_quote,
    acknowledge_order,
    calendar_for,
    deliver_order,
    delivered_order_deals,
    due_date,
    expire_quotes,
    sibling_steps,
)
from hub.quotes.quoting import (  # noqa: F401
    MAX_LINES,
    LineInput,
    QuoteInput,
    issuer_settings,
    latest_quote,
    step_quotes,
    submit_quote,
)
from hub.quotes.rfq import (  # noqa: F401
    Offer,
    can_view_request,
    compare,
    max_factories,
    my_requests,
    request_of_step,
    request_quotes,
    visible_quotes,
)
from hub.quotes.settings import save_settings  # noqa: F401
