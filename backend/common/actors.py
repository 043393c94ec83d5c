"""Who did something: recorded on every state change (``AuditEvent``: contracts, claims)."""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    SHOPPER = "shopper", _("Shopper")
    MERCHANT = "merchant", _("Merchant")
    STAFF = "staff", _("Staff")
    SYSTEM = "system", _("System")
    STRIPE = "stripe", _("Stripe")


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    label: str = ""
    user: object | None = None  # accounts.User when a person signed in

    @classmethod
    def system(cls, label: str) -> "Actor":
        return cls(ActorKind.SYSTEM, label)

    @classmethod
    def stripe(cls, event_id: str) -> "Actor":
        return cls(ActorKind.STRIPE, f"stripe event {event_id}")

    @classmethod
    def merchant(cls, merchant, via: str = "") -> "Actor":
        return cls(ActorKind.MERCHANT, f"merchant {merchant.slug}{f' ({via})' if via else ''}")

    @classmethod
    def person(cls, kind: ActorKind, user) -> "Actor":
        return cls(kind, user.get_username(), user)


class AuditEvent(models.Model):
    """One entry of an object's audit trail: which change, from which state to which, who
    made it (their kind, account and label) and why. Subclasses add the object's key."""

    name = models.CharField(max_length=40)
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    actor_kind = models.CharField(max_length=20, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ("created_at", "id")

    @classmethod
    def of(
        cls, actor: Actor, *, name: str, from_state: str, to_state: str, reason="", data=None, **key
    ):
        """An unsaved event by ``actor`` (``key``: the object, e.g. ``claim=claim``)."""
        return cls(
            **key,
            name=name,
            from_state=from_state,
            to_state=to_state,
            actor_kind=actor.kind,
            actor_user=actor.user,
            actor_label=actor.label[:200],
            reason=reason,
            data=data or {},
        )
