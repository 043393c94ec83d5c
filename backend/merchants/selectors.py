from django.conf import settings
from django.core import signing

from backend.common.exceptions import NotFound
from backend.merchants.models import Merchant, MerchantAPIKey, MerchantInvite

INVITE_SALT = "merchants.invite"


def merchant_api_key_list(*, merchant: Merchant):
    return MerchantAPIKey.objects.filter(merchant=merchant).order_by("-created")


def merchant_api_key_get(*, merchant: Merchant, key_id: str) -> MerchantAPIKey:
    """A key of this merchant. Another merchant's key is 'not found', never 'forbidden'."""
    try:
        return MerchantAPIKey.objects.get(merchant=merchant, pk=key_id)
    except MerchantAPIKey.DoesNotExist:
        raise NotFound("No such API key.", code="api_key_not_found") from None


def invite_token(invite: MerchantInvite) -> str:
    """The secret in an invite's link: its id and nonce, signed with the site's key."""
    return signing.dumps({"i": invite.pk, "n": invite.nonce}, salt=INVITE_SALT)


def invite_link(invite: MerchantInvite) -> str:
    """Where the invited person accepts: the merchant console, the token in the fragment
    (which browsers never send to a server, so it stays out of access logs)."""
    return f"{settings.PUBLIC_BASE_URL}/merchant/#invite={invite_token(invite)}"
