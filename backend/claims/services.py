"""Claims: filing, the desk's work, and fulfilment. One service per transition.

Every service locks the claim row, checks that the transition is allowed (else 409
``invalid_transition``) and that the actor may make it (else 403), applies it, records a
``ClaimEvent`` (who, when, why), and publishes the domain event the shopper's e-mail and
the CRM's tags subscribe to (``common.transitions``). Two agents
deciding one claim at once: the second waits on the row lock, finds it decided, and gets
409. Side effects (e-mail, fulfilment orders) run after commit in idempotent tasks.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from backend.claims import eligibility, uploads
from backend.claims.choices import (
    TAKEABLE_STATES,
    UNDECIDED_STATES,
    ClaimState,
    MessageAuthor,
    Priority,
    ResolutionKind,
)
from backend.claims.fraud import fraud_flags
from backend.claims.models import Claim, ClaimEvent, ClaimEvidence, ClaimMessage, ClaimResolution
from backend.claims.permissions import AGENT, SUPERVISOR, approval_limit, desk_level
from backend.claims.queues import ORDER as QUEUE_ORDER
from backend.claims.sla import sla_targets
from backend.claims.uploads import CleanFile
from backend.common.actors import Actor, ActorKind
from backend.common.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from backend.common.transitions import InvalidTransition, Transitions
from backend.contracts.liability import (
    contract_ensure_payable,
    contract_ensure_within_limit,
    contract_lock_payable,
    contract_pay_claim,
)
from backend.contracts.models import Contract

logger = logging.getLogger(__name__)

_NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class ClaimNotEligible(ApplicationError):
    status_code = 422
    default_code = "claim_not_eligible"


def _new_number(year: int) -> str:
    return f"CL-{year}-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _n in range(8))


CLAIMS = Transitions(
    Claim,
    ClaimEvent,
    "claim",
    refusal=gettext_lazy("Claim %(number)s is %(state)s and cannot be %(action)s."),
    related=("contract",),
)
_record = CLAIMS.record
_refuse = CLAIMS.refuse


def _locked(claim_id: int) -> Claim:
    try:
        return CLAIMS.lock(claim_id)
    except Claim.DoesNotExist:
        raise NotFound(_("No such claim."), code="claim_not_found") from None


def _publish(claim: Claim, event: str, **payload) -> None:
    """The domain event of a change the shopper or the CRM hears about (the shopper's
    e-mail and the tags subscribe to it), written in the change's transaction."""
    CLAIMS.publish(claim, event, payload)


def _desk(actor: Actor, claim: Claim | None = None, *, supervisor: bool = False) -> str:
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


def _first_response(claim: Claim, at) -> None:
    if claim.first_response_at is None:
        claim.first_response_at = at


# --- Filing ------------------------------------------------------------------------------


def claim_file(
    *,
    contract,
    actor: Actor,
    reason: str,
    failure_date,
    description: str,
    answers: dict | None = None,
    serial_number: str = "",
    contact_name: str = "",
    claimed_amount: int | None = None,
    files: list[CleanFile] = (),
    language: str = "en",
) -> tuple[Claim, list[dict]]:
    """File a claim on ``contract`` (already scoped to the shopper). Returns the claim and
    the files that could not be stored: a storage failure never loses the claim, it asks
    the shopper to send those files again."""
    now = timezone.now()
    with transaction.atomic():
        contract = (
            Contract.objects.select_for_update().select_related("customer").get(pk=contract.pk)
        )
        problems = eligibility.claim_eligibility(
            contract, reason=reason, failure_date=failure_date, language=language
        )
        if problems:
            raise ClaimNotEligible(
                " ".join(p.message for p in problems),
                extra={"reasons": [p.as_dict() for p in problems]},
            )
        targets = sla_targets(plan_id=contract.plan_id, merchant_id=contract.merchant_id)
        claim = Claim(
            contract=contract,
            customer=contract.customer,
            merchant_id=contract.merchant_id,
            category=contract.product_snapshot.get("category", ""),
            sku=contract.product_snapshot.get("sku") or "",
            reason=reason,
            failure_date=failure_date,
            description=description,
            answers=answers or {},
            serial_number=serial_number.strip(),
            contact_name=contact_name.strip(),
            currency=contract.currency,
            claimed_amount=claimed_amount,
            created_at=now,
            **targets.due(now),
        )
        claim.fraud_flags = fraud_flags(claim, now=now)  # counts other claims: before saving
        for _attempt in range(5):
            claim.number = _new_number(now.year)
            try:
                with transaction.atomic():
                    claim.save()
                break
            except IntegrityError:  # a number already taken: draw again
                claim.pk = None
        _record(claim, "file", "", actor, "", {"flags": [f["code"] for f in claim.fraud_flags]})
        _publish(claim, "claim.filed")
    failed = evidence_store(claim=claim, files=files, by=MessageAuthor.SHOPPER)
    return claim, failed


def evidence_thumbnail_save(evidence: ClaimEvidence, thumbnail: bytes) -> bool:
    """Store a photo's thumbnail on its (unsaved or saved) evidence row. A storage failure
    only costs the thumbnail: the lists then show the photo itself."""
    try:
        evidence.thumbnail.save("thumbnail", ContentFile(thumbnail), save=False)
    except OSError as exc:
        logger.warning("No thumbnail for evidence of %s: %s", evidence.claim.number, exc)
        return False
    return True


def evidence_thumbnail_make(evidence: ClaimEvidence) -> bool:
    """Make and store the thumbnail of a photo stored without one. False if the stored
    photo cannot be read or the thumbnail cannot be stored."""
    try:
        with evidence.file.open("rb") as f:
            thumbnail = uploads.thumbnail_of(f.read())
    except (OSError, uploads.UnsupportedFileType):
        return False
    if not evidence_thumbnail_save(evidence, thumbnail):
        return False
    evidence.save(update_fields=["thumbnail"])
    return True


def evidence_store(*, claim: Claim, files: list[CleanFile], by: str) -> list[dict]:
    """Store cleaned files on a claim. Returns the ones storage refused (the claim and the
    other files are kept; a system message asks for the missing ones)."""
    failed = []
    for clean in files:
        if ClaimEvidence.objects.filter(claim=claim, sha256=clean.sha256).exists():
            continue  # the same file twice is one piece of evidence
        evidence = ClaimEvidence(
            claim=claim,
            kind=clean.kind,
            content_type=clean.content_type,
            extension=clean.extension,
            size=len(clean.content),
            sha256=clean.sha256,
            original_name=clean.original_name,
            uploaded_by=by,
        )
        try:
            evidence.file.save("upload", ContentFile(clean.content), save=False)
        except OSError as exc:
            logger.warning("Evidence for %s not stored: %s", claim.number, exc)
            failed.append({"name": clean.original_name, "code": "storage_unavailable"})
            continue
        if clean.thumbnail:
            evidence_thumbnail_save(evidence, clean.thumbnail)
        try:
            evidence.save()
        except IntegrityError:  # a concurrent upload of the same file won
            default_storage.delete(evidence.file.name)
            if evidence.thumbnail:
                default_storage.delete(evidence.thumbnail.name)
    if failed:
        ClaimMessage.objects.create(
            claim=claim,
            author_kind=MessageAuthor.SYSTEM,
            body=_(
                "We could not store %(count)d of your files just now. Please send them again "
                "from your claim page."
            )
            % {"count": len(failed)},
        )
    return failed


# --- The shopper -------------------------------------------------------------------------


def claim_reply(*, claim_id: int, actor: Actor, body: str, files: list[CleanFile] = ()):
    """The shopper writes to the desk (and may add files). A claim waiting for them goes
    back to review."""
    with transaction.atomic():
        claim = _locked(claim_id)
        if claim.state in (ClaimState.CLOSED, ClaimState.WITHDRAWN):
            raise _refuse(claim, _("answered"))
        message = ClaimMessage.objects.create(
            claim=claim, author_kind=MessageAuthor.SHOPPER, author_name=actor.label, body=body
        )
        if can_proceed(claim.customer_replied):
            before = claim.state
            claim.customer_replied()
            claim.save()
            _record(claim, "customer_reply", before, actor)
    failed = evidence_store(claim=claim, files=files, by=MessageAuthor.SHOPPER)
    return message, failed


def claim_withdraw(*, claim_id: int, actor: Actor, reason: str = "") -> Claim:
    with transaction.atomic():
        claim = _locked(claim_id)
        if not can_proceed(claim.withdraw):
            raise _refuse(claim, _("withdrawn"))
        before = claim.state
        claim.withdraw(at=timezone.now())
        claim.save()
        _record(claim, "withdraw", before, actor, reason)
        _publish(claim, "claim.withdrawn")
    return claim


def claim_appeal(*, claim_id: int, actor: Actor, reason: str) -> Claim:
    with transaction.atomic():
        claim = _locked(claim_id)
        if not can_proceed(claim.appeal):
            raise _refuse(claim, _("appealed"))
        if claim.decided_at and timezone.now() > claim.decided_at + timedelta(
            days=settings.CLAIMS_APPEAL_DAYS
        ):
            raise ApplicationError(
                _("Appeals are possible for %(days)d days after the decision.")
                % {"days": settings.CLAIMS_APPEAL_DAYS},
                code="appeal_window_closed",
            )
        before = claim.state
        claim.appeal()
        claim.priority = max(claim.priority, Priority.HIGH)
        claim.save()
        ClaimMessage.objects.create(
            claim=claim, author_kind=MessageAuthor.SHOPPER, author_name=actor.label, body=reason
        )
        _record(claim, "appeal", before, actor, reason)
        _publish(claim, "claim.appealed")
    return claim


def claim_rate(*, claim_id: int, score: int, comment: str = "") -> Claim:
    """The shopper's CSAT (1-5) once the claim is resolved; once only."""
    with transaction.atomic():
        claim = _locked(claim_id)
        if claim.state not in (ClaimState.RESOLVED, ClaimState.CLOSED) or not claim.resolved_at:
            raise _refuse(claim, _("rated"))
        if claim.csat_score is not None:
            raise Conflict(_("This claim was already rated. Thank you!"), code="already_rated")
        claim.csat_score = score
        claim.csat_comment = comment
        claim.csat_at = timezone.now()
        claim.save(update_fields=["csat_score", "csat_comment", "csat_at", "updated_at"])
        _record(
            claim, "csat", claim.state, Actor(ActorKind.SHOPPER, "shopper"), "", {"score": score}
        )
        _publish(claim, "claim.rated", score=score)
    return claim


# --- The desk ----------------------------------------------------------------------------


def claim_take_next(*, actor: Actor, queryset=None) -> Claim | None:
    """Assign the highest-priority unassigned claim (soonest due, then oldest) to the agent.

    On PostgreSQL the candidate row is locked with FOR UPDATE SKIP LOCKED, so agents taking
    at the same moment get different claims without waiting on each other; the conditional
    UPDATE below is the guard everywhere (SQLite has no row locks)."""
    _desk(actor)
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
            claim = _locked(claim.pk)
            before = claim.state
            if can_proceed(claim.start_review):
                claim.start_review()
                claim.save()
            _record(claim, "assign", before, actor, "take next", {"assignee": actor.user.pk})
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
        claim = _locked(claim_id)
        _desk(actor, supervisor=True)
        if assignee is not None and desk_level(assignee) is None:
            raise ApplicationError(_("Claims go to desk users only."), code="not_a_desk_user")
        if claim.state not in (*UNDECIDED_STATES, ClaimState.APPROVED, ClaimState.IN_FULFILLMENT):
            raise _refuse(claim, _("reassigned"))
        previous = claim.assignee_id
        claim.assignee = assignee
        claim.assigned_at = timezone.now() if assignee else None
        claim.save(update_fields=["assignee", "assigned_at", "updated_at"])
        _record(
            claim,
            "reassign",
            claim.state,
            actor,
            reason,
            {"from": previous, "to": assignee.pk if assignee else None},
        )
    return claim


def claim_message(
    *, claim_id: int, actor: Actor, body: str, internal: bool, canned_response: str = ""
) -> ClaimMessage:
    """The desk writes to the shopper (e-mailed) or adds an internal note (never shown)."""
    with transaction.atomic():
        claim = _locked(claim_id)
        _desk(actor, claim)
        if claim.state in (ClaimState.CLOSED, ClaimState.WITHDRAWN) and not internal:
            raise _refuse(claim, _("messaged"))
        message = ClaimMessage.objects.create(
            claim=claim,
            author_kind=MessageAuthor.DESK,
            author=actor.user,
            author_name=actor.user.get_full_name() or actor.user.get_username(),
            internal=internal,
            body=body,
            canned_response=canned_response,
        )
        if not internal:
            _first_response(claim, message.created_at)
            claim.save(update_fields=["first_response_at", "updated_at"])
            _publish(claim, "claim.message", message_id=message.pk)
        _record(claim, "note" if internal else "message", claim.state, actor)
    return message


def claim_ask_customer(*, claim_id: int, actor: Actor, body: str, canned_response: str = ""):
    """Ask the shopper for something (photos, a receipt, an answer): the claim waits."""
    with transaction.atomic():
        claim = _locked(claim_id)
        _desk(actor, claim)
        if not can_proceed(claim.ask_customer):
            raise _refuse(claim, _("put on hold for the customer"))
        now = timezone.now()
        message = ClaimMessage.objects.create(
            claim=claim,
            author_kind=MessageAuthor.DESK,
            author=actor.user,
            author_name=actor.user.get_full_name() or actor.user.get_username(),
            body=body,
            canned_response=canned_response,
        )
        before = claim.state
        claim.ask_customer(at=now)
        _first_response(claim, now)
        claim.save()
        _record(claim, "ask_customer", before, actor, body[:500])
        _publish(claim, "claim.awaiting_customer", message_id=message.pk)
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
        claim = _locked(claim_id)
        level = _desk(actor, claim)
        if not can_proceed(claim.approve):
            raise _refuse(claim, _("approved"))
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
            _first_response(claim, now)
            claim.save()
            _record(claim, "request_approval", before, actor, note, {"amount": amount})
            return claim
        claim.approve(amount=amount, kind=resolution, note=note, at=now)
        _first_response(claim, now)
        claim.save()
        _pay(claim, actor)
        _record(claim, "approve", before, actor, note, {"amount": amount, "resolution": resolution})
        _publish(claim, "claim.approved")
    return claim


def claim_decide_approval(
    *, claim_id: int, actor: Actor, approve: bool, note: str = "", amount: int | None = None
) -> Claim:
    """A supervisor decides an approval an agent could not give: approve (the amount asked,
    or another within their limit) or deny."""
    with transaction.atomic():
        claim = _locked(claim_id)
        _desk(actor, supervisor=True)
        if claim.state != ClaimState.PENDING_APPROVAL:
            raise _refuse(claim, _("decided by a supervisor"))
        before = claim.state
        now = timezone.now()
        if not approve:
            if not note.strip():
                raise ApplicationError(_("Say why the claim is denied."), code="reason_required")
            claim.deny(note=note, at=now)
            claim.save()
            _record(claim, "deny", before, actor, note)
            _publish(claim, "claim.denied")
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
        _record(claim, "approve", before, actor, note, {"amount": amount, "supervisor": True})
        _publish(claim, "claim.approved")
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
        claim = _locked(claim_id)
        _desk(actor, claim)
        if claim.state != ClaimState.IN_REVIEW:
            raise _refuse(claim, _("denied"))
        before = claim.state
        now = timezone.now()
        claim.deny(note=note, at=now)
        _first_response(claim, now)
        claim.save()
        _record(claim, "deny", before, actor, note)
        _publish(claim, "claim.denied")
    return claim


# --- Fulfilment --------------------------------------------------------------------------


def _reference(kind: str) -> str:
    prefix = {"repair": "SO", "replace": "RO", "reimburse": "PO", "store_credit": "SC"}[kind]
    return f"{prefix}-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _n in range(10))


def claim_fulfil(
    *,
    claim_id: int,
    actor: Actor,
    partner=None,
    payout_method: str = "",
    payout_reference: str = "",
) -> ClaimResolution:
    """Start the approved resolution: a service order (repair), a replacement order
    (replace), a payout (reimburse) or a store-credit code. Idempotent: the claim has one
    resolution, and a repeat returns it."""

    with transaction.atomic():
        claim = _locked(claim_id)
        _desk(actor, claim)
        existing = ClaimResolution.objects.filter(claim=claim).first()
        if existing is not None:
            return existing
        if not can_proceed(claim.fulfil):
            raise _refuse(claim, _("fulfilled"))
        # Nothing is sent on a contract cancelled or voided since the approval (the lock
        # holds off a cancellation until this commits).
        contract_lock_payable(contract_id=claim.contract_id, filed_at=claim.created_at)
        kind = claim.resolution_kind
        if kind == ResolutionKind.REPAIR and partner is None:
            raise ApplicationError(_("Choose a repair partner."), code="partner_required")
        if kind == ResolutionKind.REIMBURSE and not payout_method:
            raise ApplicationError(_("Choose how to pay."), code="payout_method_required")
        resolution = ClaimResolution(
            claim=claim,
            kind=kind,
            amount=claim.approved_amount or 0,
            currency=claim.currency,
            reference=_reference(kind),
            partner=partner if kind == ResolutionKind.REPAIR else None,
            payout_method=payout_method if kind == ResolutionKind.REIMBURSE else "",
            payout_reference=payout_reference,
        )
        if kind == ResolutionKind.STORE_CREDIT:
            resolution.credit_code = "-".join(
                "".join(secrets.choice(_NUMBER_ALPHABET) for _n in range(4)) for _g in range(4)
            )
            resolution.credit_expires_on = timezone.localdate() + timedelta(days=365)
        resolution.save()
        before = claim.state
        claim.fulfil()
        claim.save()
        _record(claim, "fulfil", before, actor, "", {"reference": resolution.reference})
        _publish(claim, "claim.fulfilled")
    return resolution


def resolution_update(
    *, claim_id: int, actor: Actor, action: str, carrier: str = "", tracking_number: str = ""
) -> ClaimResolution:
    """Move the resolution on: ``start``, ``ship`` (with the carrier and tracking number) or
    ``complete``, which resolves the claim and asks the shopper for a rating."""
    with transaction.atomic():
        claim = _locked(claim_id)
        _desk(actor, claim)
        resolution = ClaimResolution.objects.select_for_update().filter(claim=claim).first()
        if resolution is None:
            raise _refuse(claim, _("updated"))
        transition = {
            "start": resolution.start,
            "ship": resolution.ship,
            "complete": resolution.complete,
        }.get(action)
        if transition is None:
            raise ApplicationError(_("Unknown action."), code="validation_error")
        if not can_proceed(transition):
            raise InvalidTransition(
                _("The %(kind)s is %(state)s and cannot be moved on that way.")
                % {"kind": resolution.get_kind_display().lower(), "state": resolution.state},
                extra={"state": resolution.state},
            )
        now = timezone.now()
        if action == "ship":
            if not tracking_number.strip():
                raise ApplicationError(_("Give the tracking number."), code="tracking_required")
            resolution.ship(carrier=carrier.strip(), tracking_number=tracking_number.strip())
        elif action == "complete":
            resolution.complete(at=now)
        else:
            resolution.start()
        resolution.save()
        _record(
            claim, f"resolution_{action}", claim.state, actor, "", {"tracking": tracking_number}
        )
        if action == "ship":
            _publish(claim, "claim.shipped")
        if action == "complete" and can_proceed(claim.resolve):
            before = claim.state
            claim.resolve(at=now)
            claim.save()
            _record(claim, "resolve", before, actor)
            _publish(claim, "claim.resolved")
    return resolution


def claim_close(*, claim_id: int, actor: Actor, reason: str = "") -> Claim:
    with transaction.atomic():
        claim = _locked(claim_id)
        if actor.kind != ActorKind.SYSTEM:
            _desk(actor, claim)
        if not can_proceed(claim.close):
            raise _refuse(claim, _("closed"))
        before = claim.state
        claim.close(at=timezone.now())
        claim.save()
        _record(claim, "close", before, actor, reason)
        _publish(claim, "claim.closed", no_reply=before == ClaimState.AWAITING_CUSTOMER)
    return claim
