"""Plan offers: which plans a shopper may buy for a product, at what price.

Offers are computed from the in-process catalogue snapshot (no queries), and each one
carries a signed, expiring token binding the merchant, plan, product, quantity,
jurisdiction and both prices, so checkout charges exactly what the shopper was shown.
"""

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from backend.common.exceptions import ApplicationError
from backend.plans.catalog_cache import PlanEntry, PriceBand, catalog_snapshot
from backend.plans.choices import CoverageStarts

TOKEN_SALT = "coverdesk.plans.offer"  # noqa: S105 - a namespace, not a secret
TOKEN_VERSION = 1


@dataclass(frozen=True, slots=True)
class ProductInput:
    sku: str | None
    title: str
    category: str
    price: int  # minor units
    currency: str
    manufacturer_warranty_months: int

    @classmethod
    def from_product(cls, product, *, manufacturer_warranty_months: int | None = None):
        """A catalogue product (``catalog.Product``), its manufacturer's warranty overridable."""
        return cls(
            sku=product.sku,
            title=product.title,
            category=product.category_id,
            price=product.price,
            currency=product.currency,
            manufacturer_warranty_months=product.manufacturer_warranty_months
            if manufacturer_warranty_months is None
            else manufacturer_warranty_months,
        )


@dataclass(frozen=True, slots=True)
class Offer:
    plan: PlanEntry
    band: PriceBand
    quantity: int
    currency: str
    product_price: int
    manufacturer_warranty_months: int
    token: str

    @property
    def price(self) -> int:
        return self.band.price

    @property
    def total(self) -> int:
        return self.band.price * self.quantity

    @property
    def limit_of_liability(self) -> int:
        return self.band.limit_of_liability or self.product_price

    @property
    def coverage_begins_after_months(self) -> int:
        """Months after purchase when this plan's own coverage begins."""
        if self.plan.coverage_starts == CoverageStarts.AFTER_MANUFACTURER_WARRANTY:
            return self.manufacturer_warranty_months
        return 0


@dataclass(frozen=True, slots=True)
class OfferSet:
    offers: list[Offer]
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class OfferClaims:
    """What a verified offer token guarantees."""

    merchant_id: int
    plan_id: int
    sku: str | None
    category: str
    product_price: int
    plan_price: int
    currency: str
    quantity: int
    manufacturer_warranty_months: int
    jurisdiction: str
    expires_at: datetime


def offers_expire_at() -> datetime:
    """When offers made now stop being accepted at checkout (whole seconds)."""
    return datetime.fromtimestamp(
        int(time.time() + settings.OFFER_TOKEN_TTL.total_seconds()), tz=UTC
    )


def offers_for_product(
    *,
    merchant_id: int,
    product: ProductInput,
    quantity: int,
    jurisdiction: str,
    bought_at: datetime | None = None,
) -> OfferSet:
    """Eligible plans for ``quantity`` units of ``product`` bought in ``jurisdiction``.

    A plan is eligible when the merchant offers it, it is sold in the jurisdiction, it
    covers the product's category, and one of its price bands in the product's currency
    contains the product's price. For a product bought earlier (``bought_at``: a
    post-purchase offer), the plan's buying window must also still be open. Sorted for
    display: the merchant's order, then the shorter term first, then the cheaper plan.
    """
    snapshot = catalog_snapshot()
    days_since = (time.time() - bought_at.timestamp()) / 86400 if bought_at else 0
    eligible: list[tuple[int, PlanEntry, PriceBand]] = []
    for offering in snapshot.offerings_for(merchant_id):
        plan = offering.plan
        if product.category not in plan.categories or not plan.sold_in(jurisdiction):
            continue
        if days_since > plan.buying_window_days:
            continue
        band = plan.band_for(product.currency, product.price)
        if band is not None:
            eligible.append((offering.display_order, plan, band))
    eligible.sort(key=lambda e: (e[0], e[1].term_months, e[2].price, e[1].id))

    signer = signing.Signer(salt=TOKEN_SALT)
    expires = offers_expire_at()
    offers = [
        Offer(
            plan=plan,
            band=band,
            quantity=quantity,
            currency=product.currency,
            product_price=product.price,
            manufacturer_warranty_months=product.manufacturer_warranty_months,
            token=signer.sign_object(
                {
                    "v": TOKEN_VERSION,
                    "m": merchant_id,
                    "p": plan.id,
                    "s": product.sku,
                    "k": product.category,
                    "pp": product.price,
                    "pr": band.price,
                    "c": product.currency,
                    "q": quantity,
                    "w": product.manufacturer_warranty_months,
                    "j": jurisdiction,
                    "x": int(expires.timestamp()),
                },
            ),
        )
        for _order, plan, band in eligible
    ]
    return OfferSet(offers=offers, expires_at=expires)


def offer_token_verify(*, token: str, merchant_id: int) -> OfferClaims:
    """Check an offer token's signature, expiry and merchant, and return what it binds.

    Raises ApplicationError with code ``offer_token_expired``, ``offer_token_invalid``
    (forged, tampered or truncated) or ``offer_token_wrong_merchant``.
    """
    invalid = ApplicationError(_("This offer token is not valid."), code="offer_token_invalid")
    if not isinstance(token, str) or len(token) > 2000:
        raise invalid
    try:
        payload = signing.Signer(salt=TOKEN_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise invalid from None
    if not isinstance(payload, dict) or payload.get("v") != TOKEN_VERSION:
        raise invalid
    if payload["x"] < int(time.time()):
        raise ApplicationError(
            _("This offer has expired; ask for fresh offers."), code="offer_token_expired"
        )
    if payload["m"] != merchant_id:
        raise ApplicationError(
            _("This offer was made for another merchant."), code="offer_token_wrong_merchant"
        )
    return OfferClaims(
        merchant_id=payload["m"],
        plan_id=payload["p"],
        sku=payload["s"],
        category=payload["k"],
        product_price=payload["pp"],
        plan_price=payload["pr"],
        currency=payload["c"],
        quantity=payload["q"],
        manufacturer_warranty_months=payload["w"],
        jurisdiction=payload["j"],
        expires_at=datetime.fromtimestamp(payload["x"], tz=UTC),
    )
