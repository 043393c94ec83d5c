"""Customer events into tags: other apps call ``emit`` after their change; the tagging
runs after commit, in an idempotent task that takes the object's id.

Each trigger reads its facts from the committed object (never from the caller), so a
retried or duplicated task sees the same facts and, through ``TagChange``'s unique event
key, tags nothing twice.
"""

from django.db import transaction

from backend.claims.models import Claim
from backend.contracts.models import Contract

# A module import: the tasks import this app's services, and either may load first.
from backend.crm import tasks
from backend.crm.choices import Trigger
from backend.crm.models import Lead


def emit(trigger: Trigger, object_id: int) -> None:
    """Tag for ``trigger`` on the object once the current transaction commits."""

    transaction.on_commit(lambda: tasks.tag_event_task.delay(str(trigger), object_id))


def event_facts(trigger: str, object_id: int) -> dict | None:
    """The customer and the facts rule conditions look at (None: the object is gone)."""
    if trigger in (Trigger.PLAN_BOUGHT, Trigger.CONTRACT_CANCELLED):
        return _contract_facts(object_id)
    if trigger == Trigger.OFFER_DECLINED:
        return _lead_facts(object_id)
    if trigger in (
        Trigger.CLAIM_FILED,
        Trigger.CLAIM_APPROVED,
        Trigger.CLAIM_DENIED,
        Trigger.CLAIM_RATED,
    ):
        return _claim_facts(object_id)
    raise ValueError(f"Not an event trigger: {trigger}")


def _contract_facts(contract_id: int) -> dict | None:

    contract = (
        Contract.objects.select_related("plan", "merchant")
        .only("customer_id", "product_snapshot", "jurisdiction", "plan__code", "merchant__slug")
        .filter(pk=contract_id)
        .first()
    )
    if contract is None:
        return None
    cancel = contract.events.filter(name="cancel").order_by("-id").values("data").first()
    return {
        "customer_id": contract.customer_id,
        "category": (contract.product_snapshot or {}).get("category"),
        "plan": contract.plan.code,
        "merchant": contract.merchant.slug,
        "jurisdiction": contract.jurisdiction,
        "reason": (cancel["data"] or {}).get("reason") if cancel else None,
    }


def _claim_facts(claim_id: int) -> dict | None:

    claim = Claim.objects.select_related("contract__plan", "merchant").filter(pk=claim_id).first()
    if claim is None:
        return None
    return {
        "customer_id": claim.customer_id,
        "category": claim.category,
        "plan": claim.contract.plan.code,
        "merchant": claim.merchant.slug,
        "jurisdiction": claim.contract.jurisdiction,
        "reason": claim.reason,
        "score": claim.csat_score,
    }


def _lead_facts(lead_id: int) -> dict | None:

    lead = Lead.objects.select_related("merchant").filter(pk=lead_id).first()
    if lead is None:
        return None
    return {
        "customer_id": lead.customer_id,
        "category": lead.category,
        "merchant": lead.merchant.slug,
        "jurisdiction": lead.jurisdiction,
    }
