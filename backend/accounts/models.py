from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.accounts.choices import Role


class User(AbstractUser):
    """Every person who signs in: shoppers, merchant admins, desk, marketing, platform admins.

    What a user may do comes from their role groups (see ``roles.ROLE_PERMISSIONS``);
    which merchant's objects a merchant admin sees comes from ``merchant``.
    """

    email = models.EmailField(_("email address"), unique=True)
    locale = models.CharField(max_length=10, default="en")
    merchant = models.ForeignKey(
        "merchants.Merchant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("For merchant admins: the merchant whose objects they manage."),
    )
    provider = models.ForeignKey(
        "plans.Provider",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("For obligor users: the provider whose reports they read."),
    )

    REQUIRED_FIELDS = ["email"]

    def has_role(self, role: Role) -> bool:
        if self.is_superuser and role == Role.PLATFORM_ADMIN:
            return True
        return role in self.role_names

    @property
    def role_names(self) -> frozenset[str]:
        cached = getattr(self, "_role_names", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True))
            self._role_names = cached
        return cached


class LockoutEvent(models.Model):
    """The audit of staff sign-in lockouts (django-axes keeps the attempts themselves): an
    account locked after repeated wrong passwords, and who lifted it, when and why."""

    class Kind(models.TextChoices):
        LOCKED = "locked", _("Locked")
        LIFTED = "lifted", _("Lifted")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.username} {self.kind} at {self.created_at:%Y-%m-%d %H:%M}"
