"""Quotes (見積書) on deal steps, their lines and revisions; purchase orders (注文書) and their acknowledgement
(注文請書); requests for quotes sent to several factories at once; each factory's invoice and calendar settings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.core.statuses import check_in
from hub.core.timeutil import utcnow
from hub.extensions import db


class QuoteStatus(StrEnum):
    """submitted (the latest revision, open) → accepted | not_chosen | expired; superseded by a revision."""

    SUBMITTED = "submitted"
    SUPERSEDED = "superseded"
    ACCEPTED = "accepted"
    NOT_CHOSEN = "not_chosen"
    EXPIRED = "expired"


class OrderStatus(StrEnum):
    """issued (注文書) → acknowledged (注文請書) → delivered (納品)."""

    ISSUED = "issued"
    ACKNOWLEDGED = "acknowledged"
    DELIVERED = "delivered"


class PriceBasis(StrEnum):
    EXCL = "excl"  # 税抜
    INCL = "incl"  # 税込


class Rounding(StrEnum):
    FLOOR = "floor"  # 切り捨て
    HALF_UP = "half_up"  # 四捨五入
    CEILING = "ceiling"  # 切り上げ


class Shipping(StrEnum):
    INCLUDED = "included"  # 送料込み
    SEPARATE = "separate"  # 送料別
    PICKUP = "pickup"  # 引き取り


class RequestKind(StrEnum):
    ALTERNATIVES = "alternatives"  # the same work asked of several factories: compare and choose one
    TEAM = "team"  # a proposed team: one step each, in one chain deal


class Quote(db.Model):
    """One revision of a factory's quote for one deal step; revisions of a step share ``step_id``."""

    __tablename__ = "quotes"
    __table_args__ = (UniqueConstraint("step_id", "revision"), check_in("status", QuoteStatus),
                      check_in("price_basis", PriceBasis), check_in("rounding", Rounding),
                      check_in("shipping", Shipping))

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(30), unique=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("deal_steps.id", ondelete="CASCADE"), index=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id"), index=True)
    revision: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(12), default=QuoteStatus.SUBMITTED, index=True)
    price_basis: Mapped[str] = mapped_column(String(4), default=PriceBasis.EXCL)
    rounding: Mapped[str] = mapped_column(String(8), default=Rounding.FLOOR)
    lead_days: Mapped[int | None]  # working days after the order (or after the work arrives, in a chain)
    delivery_date: Mapped[date | None]
    valid_until: Mapped[date]
    issued_on: Mapped[date]
    material_supplied: Mapped[bool] = mapped_column(default=False)  # 支給材: the requester supplies the material
    inspection_certificate: Mapped[bool] = mapped_column(default=False)  # 検査成績書 included
    shipping: Mapped[str] = mapped_column(String(10), default=Shipping.SEPARATE)
    drawing_revision: Mapped[str] = mapped_column(String(80), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    subtotal: Mapped[int] = mapped_column(default=0)  # yen without tax
    tax: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)  # yen with tax
    invoice_number: Mapped[str | None] = mapped_column(String(14))  # the factory's T-number when it was issued
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    step = relationship("DealStep")
    deal = relationship("Deal")
    factory = relationship("Factory")
    created_by = relationship("User")
    lines: Mapped[list[QuoteLine]] = relationship(back_populates="quote", cascade="all, delete-orphan",
                                                  order_by="QuoteLine.position")
    order: Mapped[PurchaseOrder | None] = relationship(back_populates="quote", uselist=False)


class QuoteLine(db.Model):
    """One line: what, how many, at what unit price (yen, up to two decimals), at which tax rate."""

    __tablename__ = "quote_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    unit: Mapped[str] = mapped_column(String(10), default="")
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    tax_rate: Mapped[int] = mapped_column(default=10)
    amount: Mapped[int] = mapped_column(default=0)

    quote: Mapped[Quote] = relationship(back_populates="lines")


class PurchaseOrder(db.Model):
    """The requester's order (注文書) made from an accepted quote; the factory acknowledges it (注文請書)."""

    __tablename__ = "purchase_orders"
    __table_args__ = (check_in("status", OrderStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(30), unique=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), unique=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("deal_steps.id", ondelete="CASCADE"), index=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=OrderStatus.ISSUED, index=True)
    issued_on: Mapped[date]
    due_on: Mapped[date | None]  # the delivery date the quote's lead time gives from the order day
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    delivered_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    quote: Mapped[Quote] = relationship(back_populates="order")
    step = relationship("DealStep")
    deal = relationship("Deal")
    factory = relationship("Factory")
    issued_by = relationship("User", foreign_keys=[issued_by_id])
    acknowledged_by = relationship("User", foreign_keys=[acknowledged_by_id])


class QuoteRequest(db.Model):
    """A seeker's request for quotes about one need, sent to several factories (or a proposed team) at once."""

    __tablename__ = "quote_requests"
    __table_args__ = (check_in("kind", RequestKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default=RequestKind.ALTERNATIVES)
    title: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    need = relationship("Need")
    requester = relationship("User")
    items: Mapped[list[QuoteRequestItem]] = relationship(back_populates="request", cascade="all, delete-orphan",
                                                         order_by="QuoteRequestItem.id")


class QuoteRequestItem(db.Model):
    """One deal step a request for quotes created (one per factory asked)."""

    __tablename__ = "quote_request_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("quote_requests.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("deal_steps.id", ondelete="CASCADE"), unique=True)

    request: Mapped[QuoteRequest] = relationship(back_populates="items")
    step = relationship("DealStep")


class IssuerSettings(db.Model):
    """A factory's settings for its quotes: the invoice registration number, Saturdays, its closing periods."""

    __tablename__ = "quote_issuer_settings"

    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id", ondelete="CASCADE"), primary_key=True)
    invoice_number: Mapped[str | None] = mapped_column(String(14))
    works_saturday: Mapped[bool] = mapped_column(default=False)
    closures: Mapped[list] = mapped_column(JSON, default=list)  # [{"from": "MM-DD", "to": "MM-DD", "label"}]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


__all__ = ["QuoteStatus", "OrderStatus", "PriceBasis", "Rounding", "Shipping", "RequestKind", "Quote", "QuoteLine",
           "PurchaseOrder", "QuoteRequest", "QuoteRequestItem", "IssuerSettings"]
