from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SHOPPER = "shopper", _("Shopper")
    MERCHANT_ADMIN = "merchant_admin", _("Merchant admin")
    DESK_AGENT = "desk_agent", _("Desk agent")
    DESK_SUPERVISOR = "desk_supervisor", _("Desk supervisor")
    MARKETING = "marketing", _("Marketing")
    PLATFORM_ADMIN = "platform_admin", _("Platform admin")
    FINANCE = "finance", _("Finance")
    OBLIGOR = "obligor", _("Obligor (read-only reports)")


# The roles that may sign in to the admin site (an obligor reads its reports elsewhere).
STAFF_ROLES = frozenset(
    {
        Role.MERCHANT_ADMIN,
        Role.DESK_AGENT,
        Role.DESK_SUPERVISOR,
        Role.MARKETING,
        Role.PLATFORM_ADMIN,
        Role.FINANCE,
    }
)
