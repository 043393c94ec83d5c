"""Claims: filing, and what the holder does with a claim. One service per transition.

The desk's work is in ``claims.desk`` and fulfilment in ``claims.fulfilment``. Every
service locks the claim row, checks that the transition is allowed (else 409
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
from django_fsm import can_proceed

from backend.claims import eligibility, uploads
from backend.claims.choices import (
    ClaimState,
    MessageAuthor,
    Priority,
)
from backend.claims.fraud import fraud_flags
from backend.claims.models import Claim, ClaimEvidence, ClaimMessage
from backend.claims.sla import sla_targets
from backend.claims.transitions import claim_locked, claim_publish, claim_record, claim_refuse
from backend.claims.uploads import CleanFile
from backend.common.actors import Actor, ActorKind
from backend.common.exceptions import ApplicationError, Conflict
from backend.contracts.models import Contract

logger = logging.getLogger(__name__)

_NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class ClaimNotEligible(ApplicationError):
    status_code = 422
    default_code = "claim_not_eligible"


def _new_number(year: int) -> str:
    return f"CL-{year}-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _n in range(8))


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
        claim_record(
            claim, "file", "", actor, "", {"flags": [f["code"] for f in claim.fraud_flags]}
        )
        claim_publish(claim, "claim.filed")
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
        claim = claim_locked(claim_id)
        if claim.state in (ClaimState.CLOSED, ClaimState.WITHDRAWN):
            raise claim_refuse(claim, _("answered"))
        message = ClaimMessage.objects.create(
            claim=claim, author_kind=MessageAuthor.SHOPPER, author_name=actor.label, body=body
        )
        if can_proceed(claim.customer_replied):
            before = claim.state
            claim.customer_replied()
            claim.save()
            claim_record(claim, "customer_reply", before, actor)
    failed = evidence_store(claim=claim, files=files, by=MessageAuthor.SHOPPER)
    return message, failed


def claim_withdraw(*, claim_id: int, actor: Actor, reason: str = "") -> Claim:
    with transaction.atomic():
        claim = claim_locked(claim_id)
        if not can_proceed(claim.withdraw):
            raise claim_refuse(claim, _("withdrawn"))
        before = claim.state
        claim.withdraw(at=timezone.now())
        claim.save()
        claim_record(claim, "withdraw", before, actor, reason)
        claim_publish(claim, "claim.withdrawn")
    return claim


def claim_appeal(*, claim_id: int, actor: Actor, reason: str) -> Claim:
    with transaction.atomic():
        claim = claim_locked(claim_id)
        if not can_proceed(claim.appeal):
            raise claim_refuse(claim, _("appealed"))
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
        claim_record(claim, "appeal", before, actor, reason)
        claim_publish(claim, "claim.appealed")
    return claim


def claim_rate(*, claim_id: int, score: int, comment: str = "") -> Claim:
    """The shopper's CSAT (1-5) once the claim is resolved; once only."""
    with transaction.atomic():
        claim = claim_locked(claim_id)
        if claim.state not in (ClaimState.RESOLVED, ClaimState.CLOSED) or not claim.resolved_at:
            raise claim_refuse(claim, _("rated"))
        if claim.csat_score is not None:
            raise Conflict(_("This claim was already rated. Thank you!"), code="already_rated")
        claim.csat_score = score
        claim.csat_comment = comment
        claim.csat_at = timezone.now()
        claim.save(update_fields=["csat_score", "csat_comment", "csat_at", "updated_at"])
        claim_record(
            claim, "csat", claim.state, Actor(ActorKind.SHOPPER, "shopper"), "", {"score": score}
        )
        claim_publish(claim, "claim.rated", score=score)
    return claim
