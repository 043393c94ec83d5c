import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from rest_framework_api_key.models import AbstractAPIKey

from backend.merchants.choices import InviteState, ReturnsAfterWindow


def new_publishable_key() -> str:
    return f"pk_cd_{secrets.token_urlsafe(18)}"


class Merchant(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    default_currency = models.CharField(max_length=3)
    default_locale = models.CharField(max_length=10, default="en")
    # Share of each plan's price paid to the merchant, in basis points (1/100 of a percent).
    revenue_share_bps = models.PositiveIntegerField(
        default=2000, validators=[MaxValueValidator(10_000)]
    )
    support_email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)
    # Public, for the checkout widget in shoppers' browsers: it can read offers and start a
    # checkout whose prices are fixed by signed offer tokens, nothing else.
    publishable_key = models.CharField(max_length=40, unique=True, default=new_publishable_key)
    # Returns reported by the merchant (checkout.returns): inside the window the plan is
    # cancelled with a full refund; after it, by ``returns_after_window``.
    return_window_days = models.PositiveSmallIntegerField(default=30, db_default=30)
    returns_after_window = models.CharField(
        max_length=10,
        choices=ReturnsAfterWindow.choices,
        default=ReturnsAfterWindow.CANCEL,
        db_default=ReturnsAfterWindow.CANCEL,
    )
    widget_origins = models.JSONField(
        default=list, blank=True, help_text="Sites allowed to embed the widget (CORS origins)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class MerchantAPIKey(AbstractAPIKey):
    """A server-to-server credential of one merchant.

    The key is shown once at creation; only its SHA-512 hash is stored. The first
    eight characters (the prefix) identify it in lists and logs.
    """

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="api_keys")
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "merchant API key"
        verbose_name_plural = "merchant API keys"


def new_invite_nonce() -> str:
    return secrets.token_urlsafe(24)


class MerchantInvite(models.Model):
    """A platform admin's invitation to one person to become an admin of a merchant.

    The link e-mailed carries a token signed with the site's secret over the invite's id and
    ``nonce``: the database alone cannot forge one, and revoking or accepting the invite
    spends it. Who sent it, who accepted it and when stay on the row.
    """

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField()
    nonce = models.CharField(max_length=40, default=new_invite_nonce, editable=False)
    state = FSMField(
        default=InviteState.PENDING, choices=InviteState.choices, protected=True, db_index=True
    )
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merchant_invites_sent",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_by = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merchant_invite",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.email} to {self.merchant}"

    @transition(field=state, source=InviteState.PENDING, target=InviteState.ACCEPTED)
    def accept(self, *, user, at) -> None:
        self.accepted_by = user
        self.accepted_at = at

    @transition(field=state, source=InviteState.PENDING, target=InviteState.REVOKED)
    def revoke(self, *, at) -> None:
        self.revoked_at = at
