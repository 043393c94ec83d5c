from backend.common.exceptions import NotFound
from backend.merchants.models import Merchant, MerchantAPIKey


def merchant_api_key_list(*, merchant: Merchant):
    return MerchantAPIKey.objects.filter(merchant=merchant).order_by("-created")


def merchant_api_key_get(*, merchant: Merchant, key_id: str) -> MerchantAPIKey:
    """A key of this merchant. Another merchant's key is 'not found', never 'forbidden'."""
    try:
        return MerchantAPIKey.objects.get(merchant=merchant, pk=key_id)
    except MerchantAPIKey.DoesNotExist:
        raise NotFound("No such API key.", code="api_key_not_found") from None
