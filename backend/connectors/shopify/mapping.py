"""Shopify's payloads read into Coverdesk's inputs: pure functions, no database.

A plan is sold in a Shopify store as a line item of the merchant's protection product,
added to the cart by Coverdesk's theme block beside the product it covers, with hidden
line item properties (names starting with ``_`` are not shown to the shopper):

- ``_coverdesk_offer``: the signed offer token the block was given (``POST /offers/``);
- ``_coverdesk_terms``: the SHA-256 of the terms the shopper was shown;
- ``_coverdesk_covers``: the variant id of the product line it covers.

The quantity of the plan's line item is the number of units covered. Every other line
item is the store's own business, except the products the plans cover, which are mapped
too, so that a refund of the product finds its plans.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from backend.common.jurisdictions import SUBDIVIDED_COUNTRIES
from backend.common.money import minor_unit_exponent

OFFER, TERMS, COVERS = "_coverdesk_offer", "_coverdesk_terms", "_coverdesk_covers"
# The protection product the theme block adds: the catalogue sync leaves it out.
PROTECTION_PRODUCT_TYPE = "coverdesk-protection"


@dataclass(frozen=True)
class PlanLine:
    """A plan's line item: what it covers, under which offer."""

    line_item_id: str
    offer_token: str
    terms_sha256: str
    quantity: int
    covers_line_item_id: str  # the product's line item, or "" where none matches
    product_title: str


def json_object(body: bytes) -> dict:
    """A webhook's body as a JSON object; ValueError if it is not one."""
    value = json.loads(body)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def _properties(line_item: dict) -> dict[str, str]:
    props = line_item.get("properties") or []
    if isinstance(props, dict):
        return {str(k): str(v) for k, v in props.items()}
    return {
        str(p.get("name")): str(p.get("value") or "")
        for p in props
        if isinstance(p, dict) and p.get("name")
    }


def plan_lines(order: dict) -> list[PlanLine]:
    """The order's plans, in the order of its line items."""
    items = [i for i in order.get("line_items") or [] if isinstance(i, dict)]
    by_variant = {str(i.get("variant_id")): i for i in items if i.get("variant_id") is not None}
    lines = []
    for item in items:
        props = _properties(item)
        if not props.get(OFFER):
            continue
        covered = by_variant.get(props.get(COVERS, ""), {})
        lines.append(
            PlanLine(
                line_item_id=str(item["id"]),
                offer_token=props[OFFER],
                terms_sha256=props.get(TERMS, ""),
                quantity=int(item.get("quantity") or 0),
                covers_line_item_id=str(covered["id"]) if covered.get("id") else "",
                product_title=str(covered.get("title") or "")[:300],
            )
        )
    return lines


def _address(order: dict) -> dict:
    for key in ("shipping_address", "billing_address"):
        address = order.get(key)
        if isinstance(address, dict) and address.get("country_code"):
            return address
    return {}


def jurisdiction_of(order: dict) -> str:
    """Where the shopper lives, by the order's shipping (or billing) address: a country,
    or a US state (``US-TX``)."""
    address = _address(order)
    country = str(address.get("country_code") or "").upper()
    province = str(address.get("province_code") or "").upper()
    if country in SUBDIVIDED_COUNTRIES and province:
        return f"{country}-{province}"
    return country


def customer_of(order: dict) -> dict:
    customer = order.get("customer") if isinstance(order.get("customer"), dict) else {}
    address = _address(order)
    fields = {
        "email": order.get("email") or order.get("contact_email") or customer.get("email") or "",
        "first_name": customer.get("first_name") or address.get("first_name") or "",
        "last_name": customer.get("last_name") or address.get("last_name") or "",
        "phone": customer.get("phone") or address.get("phone") or "",
        "address_line1": address.get("address1") or "",
        "address_line2": address.get("address2") or "",
        "city": address.get("city") or "",
        "region": address.get("province_code") or "",
        "postal_code": address.get("zip") or "",
        "country": address.get("country_code") or "",
        "locale": (order.get("customer_locale") or "en").split("-")[0],
    }
    return {k: str(v) for k, v in fields.items() if v}


def client_of(order: dict) -> tuple[str | None, str]:
    """The shopper's address and browser at checkout, where Shopify gives them."""
    details = order.get("client_details") if isinstance(order.get("client_details"), dict) else {}
    return (details.get("browser_ip") or order.get("browser_ip") or None,
            str(details.get("user_agent") or "")[:500])  # fmt: skip


def when(value) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def minor_units(price, currency: str) -> int | None:
    """A Shopify price ("199.00") in the currency's minor units; None if not a price."""
    try:
        amount = Decimal(str(price)).scaleb(minor_unit_exponent(currency))
    except (InvalidOperation, ValueError):
        return None
    if amount != amount.to_integral_value() or amount < 0:
        return None
    return int(amount)


@dataclass(frozen=True)
class Refunded:
    """Units of an order line (by position) a Shopify refund gave back."""

    position: int
    quantity: int
    returned: bool  # restocked as a return, rather than refunded only


def refunded_lines(refund: dict, positions: dict[str, int]) -> list[Refunded]:
    """The order lines a refund concerns, by the line items mapped at the order (``positions``):
    a refund of the product and of its plan in one counts the units once."""
    units: dict[int, Refunded] = {}
    for item in refund.get("refund_line_items") or []:
        if not isinstance(item, dict):
            continue
        position = positions.get(str(item.get("line_item_id")))
        if position is None:
            continue
        quantity = int(item.get("quantity") or 0)
        returned = item.get("restock_type") == "return"
        before = units.get(position)
        if before is None or quantity > before.quantity:
            units[position] = Refunded(
                position, quantity, returned or bool(before and before.returned)
            )
    return [u for u in sorted(units.values(), key=lambda u: u.position) if u.quantity > 0]


def product_rows(product: dict, *, currency: str, categories: set[str]) -> tuple[list, list]:
    """A Shopify product's variants as catalogue rows (``catalog.product_bulk_upsert``),
    and the variants skipped with why. A variant's SKU is its own, or ``shopify-{id}``; its
    category is the product type, which must name a Coverdesk category (by slug)."""
    if str(product.get("product_type") or "") == PROTECTION_PRODUCT_TYPE:
        return [], []
    category = slugify(str(product.get("product_type") or ""))
    title = str(product.get("title") or "")[:300]
    rows, skipped = [], []
    for variant in product.get("variants") or []:
        if not isinstance(variant, dict):
            continue
        sku = str(variant.get("sku") or f"shopify-{variant.get('id')}")[:100]
        price = minor_units(variant.get("price"), currency)
        if category not in categories:
            skipped.append({"sku": sku, "reason": f"no category {category or '(none)'}"})
            continue
        if price is None:
            skipped.append({"sku": sku, "reason": "no price"})
            continue
        variant_title = str(variant.get("title") or "")
        rows.append(
            {
                "sku": sku,
                "title": (f"{title} ({variant_title})" if variant_title
                          and variant_title != "Default Title" else title)[:300],
                "category": category,
                "price": price,
                "currency": currency,
                "brand": str(product.get("vendor") or "")[:100],
                "is_active": product.get("status", "active") == "active",
            }
        )  # fmt: skip
    return rows, skipped
