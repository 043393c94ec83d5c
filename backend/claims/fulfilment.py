"""Fulfilling an approved claim: the resolution (repair, replacement, payout) is sent, its
progress updated, and the claim closed once it is done.
"""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from backend.claims.choices import (
    ClaimState,
    ResolutionKind,
)
from backend.claims.models import Claim, ClaimResolution
from backend.claims.services import _NUMBER_ALPHABET
from backend.claims.transitions import (
    claim_locked,
    claim_publish,
    claim_record,
    claim_refuse,
    desk_check,
)
from backend.common.actors import Actor, ActorKind
from backend.common.exceptions import ApplicationError
from backend.common.transitions import InvalidTransition
from backend.contracts.liability import (
    contract_lock_payable,
)


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
        claim = claim_locked(claim_id)
        desk_check(actor, claim)
        existing = ClaimResolution.objects.filter(claim=claim).first()
        if existing is not None:
            return existing
        if not can_proceed(claim.fulfil):
            raise claim_refuse(claim, _("fulfilled"))
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
        claim_record(claim, "fulfil", before, actor, "", {"reference": resolution.reference})
        claim_publish(claim, "claim.fulfilled")
    return resolution


def resolution_update(
    *, claim_id: int, actor: Actor, action: str, carrier: str = "", tracking_number: str = ""
) -> ClaimResolution:
    """Move the resolution on: ``start``, ``ship`` (with the carrier and tracking number) or
    ``complete``, which resolves the claim and asks the shopper for a rating."""
    with transaction.atomic():
        claim = claim_locked(claim_id)
        desk_check(actor, claim)
        resolution = ClaimResolution.objects.select_for_update().filter(claim=claim).first()
        if resolution is None:
            raise claim_refuse(claim, _("updated"))
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
        claim_record(
            claim, f"resolution_{action}", claim.state, actor, "", {"tracking": tracking_number}
        )
        if action == "ship":
            claim_publish(claim, "claim.shipped")
        if action == "complete" and can_proceed(claim.resolve):
            before = claim.state
            claim.resolve(at=now)
            claim.save()
            claim_record(claim, "resolve", before, actor)
            claim_publish(claim, "claim.resolved")
    return resolution


def claim_close(*, claim_id: int, actor: Actor, reason: str = "") -> Claim:
    with transaction.atomic():
        claim = claim_locked(claim_id)
        if actor.kind != ActorKind.SYSTEM:
            desk_check(actor, claim)
        if not can_proceed(claim.close):
            raise claim_refuse(claim, _("closed"))
        before = claim.state
        claim.close(at=timezone.now())
        claim.save()
        claim_record(claim, "close", before, actor, reason)
        claim_publish(claim, "claim.closed", no_reply=before == ClaimState.AWAITING_CUSTOMER)
    return claim
