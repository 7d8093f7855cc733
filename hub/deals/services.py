"""The deals domain's public services, one import for pages, the API, the CLI and other domains.

The rules are split by concern: :mod:`hub.deals.rules` (sides, permissions, queries, errors),
:mod:`hub.deals.inquiries` (inquiries, chains, answers, step status), :mod:`hub.deals.workspace` (the thread,
blocks and reports), :mod:`hub.deals.outcomes` (closing, ratings, track records),
:mod:`hub.deals.chains` (the chain composer's drafts, re-routing a declined step) and
:mod:`hub.deals.notifications` (in-app and email notifications, digests). Services take an explicit ``actor``,
add and flush, never commit and never touch ``request``/``flash``; views and API handlers commit once, then call
:func:`hub.mail.services.deliver_pending`.
"""

from __future__ import annotations

from hub.deals.chains import (  # noqa: F401  (re-exported)
    PlannedStep,
    StepRequest,
    add_draft_files,
    can_open_step_drawing,
    draft_factories,
    draft_problems,
    load_draft,
    next_candidates,
    remove_draft_file,
    reroutable,
    reroute,
    send_draft,
    start_draft,
    step_details_visible,
    unsent_drafts,
    update_draft,
)
from hub.deals.inquiries import (  # noqa: F401  (re-exported)
    ChainStep,
    answer,
    can_ask_about,
    create_chain,
    create_inquiry,
    set_step_status,
    withdraw,
)
from hub.deals.notifications import (  # noqa: F401  (re-exported)
    deal_link,
    notify,
    notify_factory,
    preferences,
    save_preferences,
    send_digests,
)
from hub.deals.outcomes import (  # noqa: F401  (re-exported)
    RatingTarget,
    Record,
    awaiting_steps,
    can_close,
    close_deal,
    completed_jobs,
    factory_record,
    rate,
    rating_targets,
    requester_record,
    track_records,
)
from hub.deals.rules import (  # noqa: F401  (re-exported)
    MAX_ATTACHMENTS_PER_MESSAGE,
    MAX_STEPS,
    STEP_FLOW,
    DealError,
    NotAllowed,
    can_read_thread,
    can_view,
    contacts_visible,
    factory_members,
    has_report,
    is_blocked,
    is_requester_side,
    load_deal,
    mark_read,
    my_deals_query,
    my_steps,
    other_side_user_ids,
    participants,
    party_keys,
    post_refusal,
    requester_key,
    requester_side_users,
    unread_counts,
    unread_total,
)
from hub.deals.workspace import (  # noqa: F401  (re-exported)
    block,
    blocked_keys,
    can_open_attachment,
    post_message,
    report,
    resolve_report,
    unblock,
)
