"""SLA targets: the plan's policy, else the merchant's, else settings.CLAIMS_SLA_DEFAULT."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from backend.claims.models import SlaPolicy


@dataclass(frozen=True)
class Targets:
    first_response_hours: int
    decision_hours: int

    def due(self, start) -> dict:
        return {
            "first_response_due": start + timedelta(hours=self.first_response_hours),
            "decision_due": start + timedelta(hours=self.decision_hours),
        }


def sla_targets(*, plan_id: int, merchant_id: int) -> Targets:

    policies = {
        ("plan" if p.plan_id else "merchant"): p
        for p in SlaPolicy.objects.filter(plan_id=plan_id)
        | SlaPolicy.objects.filter(merchant_id=merchant_id)
    }
    policy = policies.get("plan") or policies.get("merchant")
    if policy is not None:
        return Targets(policy.first_response_hours, policy.decision_hours)
    default = settings.CLAIMS_SLA_DEFAULT
    return Targets(default["first_response_hours"], default["decision_hours"])
