from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from backend.catalog.models import Product

UPSERT_FIELDS = (
    "title",
    "category_id",
    "price",
    "currency",
    "manufacturer_warranty_months",
    "brand",
    "is_active",
)


@dataclass(frozen=True)
class UpsertResult:
    created: list[str]
    updated: list[str]


def product_bulk_upsert(*, merchant, rows: list[dict]) -> UpsertResult:
    """Create or update products by SKU, all or nothing.

    ``rows`` are already validated (see ProductUpsertSerializer): each has ``sku``,
    ``title``, ``category``, ``price``, ``currency`` and optionally the other fields.
    Sending the same rows again changes nothing but ``updated_at``: idempotent by SKU.
    Rows are written in SKU order, so concurrent upserts of overlapping SKUs lock rows in
    the same order and cannot deadlock.
    """
    now = timezone.now()
    products = [
        Product(
            merchant=merchant,
            sku=row["sku"],
            title=row["title"],
            category_id=row["category"],
            price=row["price"],
            currency=row["currency"],
            manufacturer_warranty_months=row.get("manufacturer_warranty_months", 12),
            brand=row.get("brand", ""),
            is_active=row.get("is_active", True),
            created_at=now,
            updated_at=now,
        )
        for row in sorted(rows, key=lambda r: r["sku"])
    ]
    skus = [p.sku for p in products]
    with transaction.atomic():
        existing = set(
            Product.objects.filter(merchant=merchant, sku__in=skus).values_list("sku", flat=True)
        )
        Product.objects.bulk_create(
            products,
            update_conflicts=True,
            unique_fields=["merchant", "sku"],
            update_fields=[*UPSERT_FIELDS, "updated_at"],
            batch_size=500,
        )
    return UpsertResult(
        created=[s for s in skus if s not in existing],
        updated=[s for s in skus if s in existing],
    )
