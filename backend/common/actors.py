"""Who did something: recorded on every state change (ContractEvent and, later, claims)."""

from dataclasses import dataclass

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
