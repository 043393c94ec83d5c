"""Canned responses: the desk's reply templates, per language, with placeholders.

``{{ first_name }}``, ``{{ claim }}``, ``{{ product }}``, ``{{ plan }}``, ``{{ agent }}``,
``{{ merchant }}`` and ``{{ failure_date }}`` are filled from the claim; an unknown
placeholder stays as written, so a typo shows rather than vanishing. Plain text: the
result is escaped wherever it is shown, like any message.
"""

import re

from backend.claims.models import CannedResponse, Claim

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def placeholders(claim: Claim, agent) -> dict[str, str]:
    customer = claim.contract.customer
    return {
        "first_name": customer.first_name or customer.email.split("@")[0],
        "claim": claim.number,
        "product": claim.contract.product_snapshot.get("title", ""),
        "plan": claim.contract.plan_snapshot.get("name", ""),
        "agent": (agent.get_full_name() or agent.get_username()) if agent else "",
        "merchant": claim.merchant.name,
        "failure_date": claim.failure_date.isoformat(),
    }


def render(body: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def canned_for(claim: Claim, language: str) -> list[CannedResponse]:
    """The templates in the customer's language, else English."""
    mine = list(CannedResponse.objects.filter(language=language))
    have = {c.code for c in mine}
    return mine + [c for c in CannedResponse.objects.filter(language="en") if c.code not in have]
