"""Who may work claims: desk agents work the claims assigned to them; supervisors work any
claim, decide approvals above an agent's limit and reassign. Shoppers see their own claims
only (portal); marketing and merchants see none."""

from django.conf import settings
from rest_framework.permissions import BasePermission

from backend.accounts.choices import Role
from backend.accounts.models import User
from backend.claims.models import DeskProfile

AGENT, SUPERVISOR = "agent", "supervisor"


def desk_level(user) -> str | None:
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return None
    if user.has_role(Role.DESK_SUPERVISOR) or user.has_role(Role.PLATFORM_ADMIN):
        return SUPERVISOR
    if user.has_role(Role.DESK_AGENT):
        return AGENT
    return None


def approval_limit(user, currency: str) -> int:
    """What ``user`` may approve on one claim, in minor units of ``currency``."""

    profile = DeskProfile.objects.filter(user=user).first()
    if profile is not None and currency in profile.approval_limits:
        return int(profile.approval_limits[currency])
    defaults = (
        settings.CLAIMS_SUPERVISOR_APPROVAL_LIMITS
        if desk_level(user) == SUPERVISOR
        else settings.CLAIMS_AGENT_APPROVAL_LIMITS
    )
    return int(defaults.get(currency, 0))


class IsDesk(BasePermission):
    message = "Only the warranty desk can do this."

    def has_permission(self, request, view) -> bool:
        return desk_level(request.user) is not None


class IsDeskSupervisor(BasePermission):
    message = "Only a desk supervisor can do this."

    def has_permission(self, request, view) -> bool:
        return desk_level(request.user) == SUPERVISOR
