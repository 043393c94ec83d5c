"""The claim's transitions, through the helper shared with contracts (``common.transitions``):
lock, check, transition, save, audit row (``ClaimEvent``) and domain event; and who on the
desk may make them.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.claims.models import Claim, ClaimEvent
from backend.claims.permissions import AGENT, SUPERVISOR, desk_level
from backend.common.actors import Actor
from backend.common.exceptions import NotFound, PermissionDenied
from backend.common.transitions import Transitions

CLAIMS = Transitions(
    Claim,
    ClaimEvent,
    "claim",
    refusal=gettext_lazy("Claim %(number)s is %(state)s and cannot be %(action)s."),
    related=("contract",),
)
claim_record = CLAIMS.record
claim_refuse = CLAIMS.refuse


def claim_locked(claim_id: int) -> Claim:
    try:
        return CLAIMS.lock(claim_id)
    except Claim.DoesNotExist:
        raise NotFound(_("No such claim."), code="claim_not_found") from None


def claim_publish(claim: Claim, event: str, **payload) -> None:
    """The domain event of a change the shopper or the CRM hears about (the shopper's
    e-mail and the tags subscribe to it), written in the change's transaction."""
    CLAIMS.publish(claim, event, payload)


def desk_check(actor: Actor, claim: Claim | None = None, *, supervisor: bool = False) -> str:
    """The actor's desk level; refuses anyone else, an agent acting on another agent's
    claim, and an agent where a supervisor is needed."""
    level = desk_level(actor.user)
    if level is None:
        raise PermissionDenied(_("Only the warranty desk can do this."))
    if supervisor and level != SUPERVISOR:
        raise PermissionDenied(_("Only a desk supervisor can do this."), code="supervisor_only")
    if (
        claim is not None
        and level == AGENT
        and claim.assignee_id is not None
        and claim.assignee_id != actor.user.pk
    ):
        raise PermissionDenied(
            _("This claim is assigned to another agent."), code="assigned_to_another_agent"
        )
    return level


def first_response_mark(claim: Claim, at) -> None:
    if claim.first_response_at is None:
        claim.first_response_at = at
