"""Concurrent bulk upserts on PostgreSQL: no lost rows, no duplicates, no deadlocks."""

import threading

import pytest
from django.db import connection

from backend.catalog.models import Product
from backend.catalog.services import product_bulk_upsert

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def rows(skus, price):
    return [
        {"sku": s, "title": s, "category": "phones", "price": price, "currency": "USD"}
        for s in skus
    ]


def test_overlapping_upserts_in_opposite_orders(merchant, phones):
    skus = [f"SKU-{n:04d}" for n in range(400)]
    batches = [rows(skus, 100), rows(list(reversed(skus)), 200)]
    barrier = threading.Barrier(len(batches))
    errors = []

    def upsert(batch):
        try:
            barrier.wait(timeout=10)
            product_bulk_upsert(merchant=merchant, rows=batch)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    for _ in range(5):
        threads = [threading.Thread(target=upsert, args=(b,)) for b in batches]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        assert Product.objects.filter(merchant=merchant).count() == len(skus)
        assert set(Product.objects.values_list("price", flat=True)) <= {100, 200}
