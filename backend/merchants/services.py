from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.choices import Role
from backend.accounts.models import User
from backend.accounts.services import user_create
from backend.common.exceptions import ValidationFailed
from backend.events.services import publish
from backend.merchants.choices import InviteState
from backend.merchants.models import Merchant, MerchantAPIKey, MerchantInvite
from backend.merchants.selectors import INVITE_SALT


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


def merchant_settings_set(*, merchant: Merchant, **fields) -> Merchant:
    """Set a merchant's own settings (its support contact, its return window, ...),
    validated by the caller's serializer."""
    for name, value in fields.items():
        setattr(merchant, name, value)
    if fields:
        merchant.save(update_fields=list(fields))
    return merchant


@transaction.atomic
def merchant_invite_create(*, merchant: Merchant, email: str, created_by=None) -> MerchantInvite:
    """Invite one person to administer ``merchant``; the e-mail with the link is sent once
    this commits (``merchant.invited``, notifications). An earlier pending invite to the same
    address for the same merchant is revoked: only the newest link works."""
    email = User.objects.normalize_email(email.strip())
    if User.objects.filter(email__iexact=email).exists():
        message = _("Someone already signs in with this e-mail address.")
        raise ValidationFailed(message, code="email_taken", fields={"email": [message]})
    now = timezone.now()
    for earlier in MerchantInvite.objects.select_for_update().filter(
        merchant=merchant, email__iexact=email, state=InviteState.PENDING
    ):
        earlier.revoke(at=now)
        earlier.save()
    invite = MerchantInvite.objects.create(
        merchant=merchant,
        email=email,
        created_by=created_by,
        expires_at=now + settings.MERCHANT_INVITE_TTL,
    )
    publish("merchant.invited", aggregate="merchant_invite", aggregate_id=invite.pk)
    return invite


@transaction.atomic
def merchant_invite_revoke(*, invite: MerchantInvite) -> MerchantInvite:
    invite = MerchantInvite.objects.select_for_update().get(pk=invite.pk)
    if invite.state == InviteState.PENDING:
        invite.revoke(at=timezone.now())
        invite.save()
    return invite


def _invite_refused(message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={"token": [message]})


def invite_from_token(token: str, *, lock: bool = False) -> MerchantInvite:
    """The pending, unexpired invite a link's token names; 400 otherwise, with why."""
    try:
        data = signing.loads(token, salt=INVITE_SALT)
        invite_id, nonce = int(data["i"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise _invite_refused(_("This invite link is not valid."), "invite_invalid") from None
    queryset = MerchantInvite.objects.select_related("merchant")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    invite = queryset.filter(pk=invite_id, nonce=nonce).first()
    if invite is None:
        raise _invite_refused(_("This invite link is not valid."), "invite_invalid")
    if invite.state == InviteState.ACCEPTED:
        raise _invite_refused(_("This invite was used already: sign in instead."), "invite_used")
    if invite.state == InviteState.REVOKED:
        raise _invite_refused(_("This invite was withdrawn. Ask for a new one."), "invite_revoked")
    if invite.expires_at <= timezone.now():
        raise _invite_refused(_("This invite has expired. Ask for a new one."), "invite_expired")
    if not invite.merchant.is_active:
        raise _invite_refused(_("This merchant is not active."), "merchant_inactive")
    return invite


@transaction.atomic
def merchant_invite_accept(
    *, token: str, username: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Spend the invite: create the merchant admin who signs in with ``username`` and
    ``password``. The invite is locked while this runs, so a link used twice at once makes
    one account and a 400."""
    invite = invite_from_token(token, lock=True)
    if User.objects.filter(username__iexact=username).exists():
        message = _("This username is taken.")
        raise ValidationFailed(message, code="username_taken", fields={"username": [message]})
    if User.objects.filter(email__iexact=invite.email).exists():
        message = _("Someone already signs in with this e-mail address.")
        raise ValidationFailed(message, code="email_taken", fields={"token": [message]})
    candidate = User(username=username, email=invite.email, first_name=first_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationFailed(
            " ".join(exc.messages), code="weak_password", fields={"password": exc.messages}
        ) from None
    user = user_create(
        username=username,
        email=invite.email,
        password=password,
        roles=[Role.MERCHANT_ADMIN],
        merchant=invite.merchant,
        locale=invite.merchant.default_locale,
        first_name=first_name,
        last_name=last_name,
    )
    invite.accept(user=user, at=timezone.now())
    invite.save()
    return user
