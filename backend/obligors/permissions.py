"""Who reads obligor reports: an obligor user its own provider's only; finance staff (and
platform admins) any provider's, named with ``?provider=``. Everyone else: 403."""

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from backend.accounts.choices import Role
from backend.accounts.models import User
from backend.common.exceptions import NotFound, ValidationFailed
from backend.ledger.permissions import is_finance
from backend.plans.models import Provider


def is_obligor(user) -> bool:
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return False
    return user.has_role(Role.OBLIGOR) and user.provider_id is not None


class ReadsObligorReports(BasePermission):
    message = "Only an obligor's users and finance staff read obligor reports."

    def has_permission(self, request, view) -> bool:
        return is_obligor(request.user) or is_finance(request.user)


def request_provider(request) -> int:
    """The provider whose reports the request reads. An obligor asking for another's
    gets 404, as for one that does not exist."""
    user = request.user
    asked = request.query_params.get("provider")
    if is_obligor(user) and not is_finance(user):
        if asked not in (None, "", str(user.provider_id)):
            raise NotFound(_("No such obligor."), code="provider_not_found")
        return user.provider_id
    if not asked:
        raise ValidationFailed(
            _("Name the obligor: ?provider=<id>."),
            fields={"provider": [_("Required for finance staff.")]},
            code="provider_required",
        )
    if not asked.isdigit() or not Provider.objects.filter(pk=int(asked)).exists():
        raise NotFound(_("No such obligor."), code="provider_not_found")
    return int(asked)
