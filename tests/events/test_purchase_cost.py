"""What one purchase's follow-ups cost in queries: a query budget, so that a change that
adds round trips to every purchase shows up here (docs/PERFORMANCE.md, issue 15).

Everything a signed ``payment_intent.succeeded`` sets off runs in this process (Celery is
eager and the on-commit hooks run): the activation, the outbox's relay and deliveries, the
contract document, the e-mail. ``-s`` prints the counts."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.contracts.models import Contract
from backend.documents.models import Document
from tests import stripe_helpers

# Measured 2026-12-03 on PostgreSQL and SQLite alike: 56, of them 11 for the ledger's sale
# posting (a first purchase measured 45 before the ledger, and 33 before the outbox).
BUDGET = 60


@pytest.mark.django_db(transaction=True)
def test_a_purchase_and_its_follow_ups_stay_within_their_query_budget(
    stripe_api, put_order, order_body, client, mailoutbox
):
    def paid_webhook(order_id):
        body = put_order(order_id, order_body(quantity=1)).json()
        intent_id = body["payment"]["client_secret"].split("_secret")[0]
        stripe_helpers.pay(intent_id)
        return stripe_helpers.intent_event("payment_intent.succeeded", intent_id)

    # The first purchase opens the ledger's accounts; the one measured is a later one.
    assert stripe_helpers.deliver(client, paid_webhook("COST-0")).status_code == 200
    event = paid_webhook("COST-1")
    with CaptureQueriesContext(connection) as queries:
        assert stripe_helpers.deliver(client, event).status_code == 200
    assert Contract.objects.filter(state="active").count() == 2
    assert Document.objects.filter(state="issued").count() == 2 and len(mailoutbox) == 2
    kinds = Counter(q["sql"].split()[0].upper() for q in queries.captured_queries)
    outbox = sum('"events_' in q["sql"] for q in queries.captured_queries)
    print(f"\n{len(queries)} queries ({dict(kinds)}), {outbox} of them on the outbox's tables")
    assert len(queries) <= BUDGET
