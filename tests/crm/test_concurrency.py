"""Concurrent duplicate events tag once, on PostgreSQL (real row locks and constraints)."""

import threading

import pytest
from django.db import connection

from backend.crm import services
from backend.crm.models import CustomerTag, TagChange

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_duplicate_and_concurrent_events_tag_once(sell, rule):
    rule("plan_bought", "bought-phones", category=["phones"])
    rule("plan_bought", "recent-buyer", expires_after_days=30)
    first, second = sell(), sell()  # one customer, two contracts
    barrier = threading.Barrier(8)
    errors = []

    def deliver(contract_id):
        try:
            barrier.wait()
            services.tags_for_event(trigger="plan_bought", object_id=contract_id)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=deliver, args=(pk,)) for pk in [first.pk] * 4 + [second.pk] * 4
    ]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    assert CustomerTag.objects.count() == 2
    keys = list(TagChange.objects.values_list("event_key", "tag__slug", "action"))
    assert len(keys) == len(set(keys))
    assert sorted(k for k in keys if k[1] == "bought-phones")[0][2] == "added"
    assert TagChange.objects.filter(tag__slug="bought-phones").count() == 1
