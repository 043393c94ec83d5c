"""The signed link a shopper rates a resolved claim with (CSAT)."""

from django.core import signing

from backend.claims.models import Claim

CSAT_SALT = "claims.csat"


def csat_token(claim: Claim) -> str:
    return signing.dumps({"claim": claim.pk}, salt=CSAT_SALT, compress=True)


def csat_claim_id(token: str, max_age_days: int = 60) -> int | None:
    try:
        return signing.loads(token, salt=CSAT_SALT, max_age=max_age_days * 86400)["claim"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
