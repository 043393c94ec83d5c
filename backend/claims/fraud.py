"""Fraud signals for the desk: flags that ask a person to look closer, never a verdict.

Computed when a claim is filed (and shown with the claim). Each flag is a code from
``FraudFlag`` with a short human detail.
"""

import unicodedata
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from backend.claims.choices import ClaimState, FraudFlag
from backend.claims.models import Claim


def _name_key(name: str) -> frozenset[str]:
    """A name as a set of words, without accents or case: "Łukasz  KOWALSKI" matches
    "kowalski lukasz"."""
    folded = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L"))
    plain = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return frozenset(w for w in "".join(c if c.isalnum() else " " for c in plain).split() if w)


def fraud_flags(claim, *, now=None) -> list[dict]:

    now = now or timezone.now()
    contract = claim.contract
    others = Claim.objects.exclude(state=ClaimState.WITHDRAWN)
    if claim.pk is not None:
        others = others.exclude(pk=claim.pk)
    flags = []
    earlier = others.filter(contract_id=contract.pk).count()
    if earlier:
        flags.append(
            {"code": FraudFlag.REPEAT_CONTRACT, "detail": f"{earlier} earlier on this contract"}
        )
    if claim.serial_number.strip():
        same = others.filter(serial_number__iexact=claim.serial_number.strip())
        if same.exists():
            numbers = ", ".join(same.values_list("number", flat=True)[:5])
            flags.append({"code": FraudFlag.REPEAT_SERIAL, "detail": f"also on {numbers}"})
    since_purchase = (now - contract.purchased_at).days
    if since_purchase < settings.CLAIMS_SOON_AFTER_PURCHASE_DAYS:
        flags.append(
            {"code": FraudFlag.SOON_AFTER_PURCHASE, "detail": f"{since_purchase} days after"}
        )
    in_a_year = (
        others.filter(
            customer_id=claim.customer_id, created_at__gte=now - timedelta(days=365)
        ).count()
        + 1
    )
    if in_a_year >= settings.CLAIMS_MANY_PER_CUSTOMER:
        flags.append({"code": FraudFlag.MANY_CLAIMS, "detail": f"{in_a_year} in 12 months"})
    if claim.claimed_amount is not None and claim.claimed_amount > contract.limit_remaining:
        flags.append(
            {
                "code": FraudFlag.OVER_LIMIT,
                "detail": f"{claim.claimed_amount} over {contract.limit_remaining} remaining",
            }
        )
    holder = contract.customer
    holder_name = f"{holder.first_name} {holder.last_name}"
    claimant = _name_key(claim.contact_name)
    if claimant and _name_key(holder_name) and claimant != _name_key(holder_name):
        flags.append({"code": FraudFlag.NAME_MISMATCH, "detail": "the claimant is not the holder"})
    return flags
