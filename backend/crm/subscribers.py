"""Customer events into tags (domain events): each rule of the event's trigger that the
event meets tags the customer, once (``TagChange``'s unique event key)."""

from backend.crm.choices import Trigger
from backend.crm.models import TagRule
from backend.crm.services import tags_for_event
from backend.events.registry import subscribe

TRIGGER_FOR_EVENT = {
    "contract.activated": Trigger.PLAN_BOUGHT,
    "contract.cancelled": Trigger.CONTRACT_CANCELLED,
    "claim.filed": Trigger.CLAIM_FILED,
    "claim.approved": Trigger.CLAIM_APPROVED,
    "claim.denied": Trigger.CLAIM_DENIED,
    "claim.rated": Trigger.CLAIM_RATED,
}


def tag(event) -> None:
    tags_for_event(trigger=TRIGGER_FOR_EVENT[event.name], object_id=int(event.aggregate_id))


def has_rules(event) -> bool:
    """Whether any active rule listens to the event's trigger: asked at relay, so that a
    trigger nobody tags on costs no delivery."""
    return TagRule.objects.filter(trigger=TRIGGER_FOR_EVENT[event.name], active=True).exists()


def register() -> None:
    subscribe("crm.tags", events=list(TRIGGER_FOR_EVENT), handler=tag, wants=has_rules)
