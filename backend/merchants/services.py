from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend.merchants.models import Merchant, MerchantAPIKey


def merchant_api_key_create(*, merchant: Merchant, name: str) -> tuple[MerchantAPIKey, str]:
    """Create a key and return it with its plaintext, which is never stored or shown again."""
    return MerchantAPIKey.objects.create_key(merchant=merchant, name=name)


@transaction.atomic
def merchant_api_key_revoke(*, api_key: MerchantAPIKey) -> MerchantAPIKey:
    """Revoke a key for good. Revoking twice is a no-op."""
    api_key = MerchantAPIKey.objects.select_for_update().get(pk=api_key.pk)
    if not api_key.revoked:
        api_key.revoked = True
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked", "revoked_at"])
    return api_key


def merchant_api_key_touch(*, api_key: MerchantAPIKey) -> None:
    """Record that a key was used, at most once per resolution window.

    A conditional UPDATE rather than a save: cheap, race-free, and no write at all on
    the hot path while the recorded time is still fresh.
    """
    now = timezone.now()
    stale_before = now - settings.API_KEY_LAST_USED_RESOLUTION
    if api_key.last_used_at is not None and api_key.last_used_at >= stale_before:
        return
    MerchantAPIKey.objects.filter(pk=api_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale_before)
    ).update(last_used_at=now)
    api_key.last_used_at = now


def merchant_returns_set(*, merchant: Merchant, **settings) -> Merchant:
    """Set what a returned product does to its plan: ``return_window_days`` and
    ``returns_after_window`` (validated by the caller's serializer)."""
    for name, value in settings.items():
        setattr(merchant, name, value)
    merchant.save(update_fields=list(settings))
    return merchant
