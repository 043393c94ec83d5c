"""The warranty desk's work on a claim: taking it from a queue, assigning it, messaging the
holder, asking for more, and deciding it (approval within the agent's limit, a
supervisor's decision above it, denial).

Approving pays the claim from the contract's limit of liability under the contract's row
lock (``contracts.liability``), which also orders it against a cancellation.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from backend.claims.choices import (
    TAKEABLE_STATES,
    UNDECIDED_STATES,
    ClaimState,
    MessageAuthor,
    ResolutionKind,
)
from backend.claims.models import Claim, ClaimMessage
from backend.claims.permissions import SUPERVISOR, approval_limit, desk_level
from backend.claims.queues import ORDER as QUEUE_ORDER
from backend.claims.transitions import (
    claim_locked,
    claim_publish,
    claim_record,
    claim_refuse,
    desk_check,
    first_response_mark,
)
from backend.common.actors import Actor
from backend.common.exceptions import ApplicationError, Conflict, PermissionDenied
from backend.contracts.liability import (
    contract_ensure_payable,
    contract_ensure_within_limit,
    contract_pay_claim,
)


def claim_take_next(*, actor: Actor, queryset=None) -> Claim | None:
    """Assign the highest-priority unassigned claim (soonest due, then oldest) to the agent.

    On PostgreSQL the candidate row is locked with FOR UPDATE SKIP LOCKED, so agents taking
    at the same moment get different claims without waiting on each other; the conditional
    UPDATE below is the guard everywhere (SQLite has no row locks)."""
    desk_check(actor)
    candidates = (queryset if queryset is not None else Claim.objects.all()).filter(
        state__in=TAKEABLE_STATES, assignee__isnull=True
    )
    now = timezone.now()
    for _attempt in range(10):
        with transaction.atomic():
            claim = (
                candidates.order_by(*QUEUE_ORDER)
                .select_for_update(skip_locked=True, of=("self",))
                .first()
            )
            if claim is None:
                return None
            taken = Claim.objects.filter(pk=claim.pk, assignee__isnull=True).update(
                assignee=actor.user, assigned_at=now
            )
            if not taken:
                continue  # another agent took it between our read and our write
            claim = claim_locked(claim.pk)
            before = claim.state
            if can_proceed(claim.start_review):
                claim.start_review()
                claim.save()
            claim_record(claim, "assign", before, actor, "take next", {"assignee": actor.user.pk})
            return claim
    return None


def claim_take(*, claim_id: int, actor: Actor) -> Claim:
    """An agent takes one claim nobody has yet (the one open on their screen), as take-next
    would; a claim someone else took first is a 409."""
    taken = claim_take_next(actor=actor, queryset=Claim.objects.filter(pk=claim_id))
    if taken is None:
        claim = Claim.objects.select_related("assignee").get(pk=claim_id)
        if claim.assignee_id == actor.user.pk:
            return claim
        raise Conflict(
            _("This claim is not free to take (it is %(state)s, assigned to %(who)s).")
            % {
                "state": claim.get_state_display().lower(),
                "who": claim.assignee.get_username() if claim.assignee else _("nobody"),
            },
            code="claim_not_takeable",
        )
    return taken


def claim_assign(*, claim_id: int, actor: Actor, assignee, reason: str = "") -> Claim:
    """A supervisor gives the claim to an agent (or takes it back: ``assignee`` None)."""
    with transaction.atomic():
        claim = claim_locked(claim_id)
        desk_check(actor, supervisor=True)
        if assignee is not None and desk_level(assignee) is None:
            raise ApplicationError(_("Claims go to desk users only."), code="not_a_desk_user")
        if claim.state not in (*UNDECIDED_STATES, ClaimState.APPROVED, ClaimState.IN_FULFILLMENT):
            raise claim_refuse(claim, _("reassigned"))
        previous = claim.assignee_id
        claim.assignee = assignee
        claim.assigned_at = timezone.now() if assignee else None
        claim.save(update_fields=["assignee", "assigned_at", "updated_at"])
        claim_record(
            claim,
            "reassign",
            claim.state,
            actor,
            reason,
            {"from": previous, "to": assignee.pk if assignee else None},
        )
    return claim


def _desk_message(claim, actor: Actor, body: str, canned_response: str, *, internal=False):
    return ClaimMessage.objects.create(
        claim=claim,
        author_kind=MessageAuthor.DESK,
        author=actor.user,
        author_name=actor.user.get_full_name() or actor.user.get_username(),
        internal=internal,
        body=body,
        canned_response=canned_response,
    )


def claim_message(
    *, claim_id: int, actor: Actor, body: str, internal: bool, canned_response: str = ""
) -> ClaimMessage:
    """The desk writes to the shopper (e-mailed) or adds an internal note (never shown)."""
    with transaction.atomic():
        claim = claim_locked(claim_id)
        desk_check(actor, claim)
        if claim.state in (ClaimState.CLOSED, ClaimState.WITHDRAWN) and not internal:
            raise claim_refuse(claim, _("messaged"))
        message = _desk_message(claim, actor, body, canned_response, internal=internal)
        if not internal:
            first_response_mark(claim, message.created_at)
            claim.save(update_fields=["first_response_at", "updated_at"])
            claim_publish(claim, "claim.message", message_id=message.pk)
        claim_record(claim, "note" if internal else "message", claim.state, actor)
    return message


def claim_ask_customer(*, claim_id: int, actor: Actor, body: str, canned_response: str = ""):
    """Ask the shopper for something (photos, a receipt, an answer): the claim waits."""
    with transaction.atomic():
        claim = claim_locked(claim_id)
        desk_check(actor, claim)
        if not can_proceed(claim.ask_customer):
            raise claim_refuse(claim, _("put on hold for the customer"))
        now = timezone.now()
        message = _desk_message(claim, actor, body, canned_response)
        before = claim.state
        claim.ask_customer(at=now)
        first_response_mark(claim, now)
        claim.save()
        claim_record(claim, "ask_customer", before, actor, body[:500])
        claim_publish(claim, "claim.awaiting_customer", message_id=message.pk)
    return claim


def claim_approve(
    *, claim_id: int, actor: Actor, amount: int, resolution: str, note: str = ""
) -> Claim:
    """Approve a claim for ``amount`` (minor units) and a resolution. Above the agent's
    approval limit it goes to a supervisor (``pending_approval``); a supervisor cannot
    approve above their own limit (403). The amount comes off the contract's limit."""
    if resolution not in ResolutionKind.values:
        raise ApplicationError(_("Unknown resolution."), code="validation_error")
    with transaction.atomic():
        claim = claim_locked(claim_id)
        level = desk_check(actor, claim)
        if not can_proceed(claim.approve):
            raise claim_refuse(claim, _("approved"))
        # Before a supervisor is asked: the contract can still pay, and this much.
        contract_ensure_payable(claim.contract, filed_at=claim.created_at)
        contract_ensure_within_limit(claim.contract, amount)
        limit = approval_limit(actor.user, claim.currency)
        before = claim.state
        now = timezone.now()
        if amount > limit:
            if level == SUPERVISOR:
                raise PermissionDenied(
                    _("This is above your approval limit of %(limit)d.") % {"limit": limit},
                    code="over_approval_limit",
                )
            claim.request_approval(amount=amount, kind=resolution, note=note)
            first_response_mark(claim, now)
            claim.save()
            claim_record(claim, "request_approval", before, actor, note, {"amount": amount})
            return claim
        claim.approve(amount=amount, kind=resolution, note=note, at=now)
        first_response_mark(claim, now)
        claim.save()
        _pay(claim, actor)
        claim_record(
            claim, "approve", before, actor, note, {"amount": amount, "resolution": resolution}
        )
        claim_publish(claim, "claim.approved")
    return claim


def claim_decide_approval(
    *, claim_id: int, actor: Actor, approve: bool, note: str = "", amount: int | None = None
) -> Claim:
    """A supervisor decides an approval an agent could not give: approve (the amount asked,
    or another within their limit) or deny."""
    with transaction.atomic():
        claim = claim_locked(claim_id)
        desk_check(actor, supervisor=True)
        if claim.state != ClaimState.PENDING_APPROVAL:
            raise claim_refuse(claim, _("decided by a supervisor"))
        before = claim.state
        now = timezone.now()
        if not approve:
            if not note.strip():
                raise ApplicationError(_("Say why the claim is denied."), code="reason_required")
            claim.deny(note=note, at=now)
            claim.save()
            claim_record(claim, "deny", before, actor, note)
            claim_publish(claim, "claim.denied")
            return claim
        amount = claim.requested_amount if amount is None else amount
        limit = approval_limit(actor.user, claim.currency)
        if amount > limit:
            raise PermissionDenied(
                _("This is above your approval limit of %(limit)d.") % {"limit": limit},
                code="over_approval_limit",
            )
        claim.supervisor_approve(amount=amount, note=note, at=now)
        claim.save()
        _pay(claim, actor)
        claim_record(claim, "approve", before, actor, note, {"amount": amount, "supervisor": True})
        claim_publish(claim, "claim.approved")
    return claim


def _pay(claim: Claim, actor: Actor) -> None:
    contract_pay_claim(
        contract_id=claim.contract_id,
        amount=claim.approved_amount or 0,
        replaced=claim.resolution_kind == ResolutionKind.REPLACE,
        actor=actor,
        claim_number=claim.number,
        filed_at=claim.created_at,
    )


# Claims that may still draw on their contract: undecided, or approved with nothing sent
# yet. A contract with one cannot be cancelled; once a claim is being fulfilled, its amount
# is in the contract's claims paid, which the refund deducts.
UNSETTLED_STATES = (*UNDECIDED_STATES, ClaimState.APPROVED)


def no_unsettled_claim(contract) -> None:
    """Refuse to cancel ``contract`` (locked by the caller, ``checkout.cancellation``) while
    a claim on it is undecided: a contract is cancelled once its claims are decided,
    fulfilled or withdrawn, so the refund can deduct every claim paid and no repair or
    payout goes out afterwards."""
    unsettled = list(
        Claim.objects.filter(contract_id=contract.pk, state__in=UNSETTLED_STATES)
        .order_by("created_at")
        .values_list("number", flat=True)
    )
    if unsettled:
        raise Conflict(
            _(
                "Contract %(number)s has a claim still open (%(claims)s). It can be cancelled "
                "once the claim is decided and fulfilled, or withdrawn."
            )
            % {"number": contract.number, "claims": ", ".join(unsettled)},
            code="claim_open",
            extra={"claims": unsettled},
        )


def claim_deny(*, claim_id: int, actor: Actor, note: str) -> Claim:
    if not note.strip():
        raise ApplicationError(_("Say why the claim is denied."), code="reason_required")
    with transaction.atomic():
        claim = claim_locked(claim_id)
        desk_check(actor, claim)
        if claim.state != ClaimState.IN_REVIEW:
            raise claim_refuse(claim, _("denied"))
        before = claim.state
        now = timezone.now()
        claim.deny(note=note, at=now)
        first_response_mark(claim, now)
        claim.save()
        claim_record(claim, "deny", before, actor, note)
        claim_publish(claim, "claim.denied")
    return claim
