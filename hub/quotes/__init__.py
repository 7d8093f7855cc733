"""Quotes and orders on deal steps: 見積 with revisions, comparison, chain totals, 注文書 and 注文請書, PDFs."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Offer the deals domain what it shows and counts: our notifications' wording and delivered orders."""
    from hub.core import providers
    from hub.quotes import notifications, ordering

    providers.register(app, providers.NOTIFICATION_TEXT, notifications.text)
    providers.register(app, providers.DELIVERED_ORDER_DEALS, ordering.delivered_order_deals)
