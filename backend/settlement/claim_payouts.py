"""Claim payouts executed, not just recorded.

A repair partner's invoice (a repair resolved) is paid by Stripe Connect transfer to the
partner's connected account, as merchants are paid. An approved reimbursement opens one
payout for the claim (unique per claim): by bank
transfer in the claim's currency (pain.001 for EUR and PLN, NACHA for USD). It waits for
the shopper's bank details (an IBAN checked by schwifty, or an ABA routing number by its
check digit and an account number), is then due, goes into exactly one payment file for
finance to upload, and is settled when the bank's status report is read back: paid (the
ledger moves it from claims payable out of the bank account, once, by the payout's source)
or rejected (due again once the shopper corrects the details). A payout can never be in
two files, nor paid twice.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from backend.claims.choices import ResolutionKind
from backend.claims.models import Claim
from backend.common.exceptions import ApplicationError, Conflict, NotFound, ValidationFailed
from backend.ledger.choices import AccountPurpose
from backend.ledger.services import AccountSpec, Line, accounts_for, post
from backend.payments import stripe_gateway
from backend.settlement import bank_files
from backend.settlement.choices import ClaimPayoutState, PayoutFileState, PayoutMethod
from backend.settlement.models import ClaimPayout, PartnerAccount, PayoutFile

METHOD_OF_CURRENCY = {"EUR": PayoutMethod.SEPA, "PLN": PayoutMethod.SEPA, "USD": PayoutMethod.NACHA}


def claim_payout_open(*, claim_id: int) -> ClaimPayout | None:
    """The payout an approved reimbursement owes the shopper, opened once."""
    claim = Claim.objects.filter(pk=claim_id).first()
    if (
        claim is None
        or not claim.approved_amount
        or claim.resolution_kind != ResolutionKind.REIMBURSE
        or claim.currency not in METHOD_OF_CURRENCY
    ):
        return None
    payout, _created = ClaimPayout.objects.get_or_create(
        claim=claim,
        defaults={
            "method": METHOD_OF_CURRENCY[claim.currency],
            "amount": claim.approved_amount,
            "currency": claim.currency,
            # 15 characters: it must fit a NACHA entry's individual id as well.
            "end_to_end_id": f"CDC{claim.pk:012d}",
            "account_holder": claim.contact_name[:70],
        },
    )
    return payout


def _bank_details(payout: ClaimPayout, data: dict) -> dict:
    holder = (data.get("account_holder") or "").strip()
    fields = {}
    if not holder:
        fields["account_holder"] = [_("The account holder's name, as the bank knows it.")]
    if payout.method == PayoutMethod.SEPA:
        try:
            iban = IBAN(data.get("iban") or "")
        except SchwiftyException as exc:
            fields["iban"] = [_("Not a valid IBAN: %(error)s") % {"error": exc}]
        bic = ""
        if data.get("bic"):
            try:
                bic = str(BIC(data["bic"]))
            except SchwiftyException as exc:
                fields["bic"] = [_("Not a valid BIC: %(error)s") % {"error": exc}]
        if fields:
            raise ValidationFailed(
                _("The bank details are not valid."), fields=fields, code="invalid_bank_details"
            )
        return {"account_holder": holder[:70], "iban": iban.compact, "bic": bic}
    routing = (data.get("routing_number") or "").strip()
    account = (data.get("account_number") or "").strip()
    if not bank_files.routing_number_valid(routing):
        fields["routing_number"] = [_("Not a valid ABA routing number (nine digits).")]
    if not (account.isdigit() and 4 <= len(account) <= 17):
        fields["account_number"] = [_("An account number of 4 to 17 digits.")]
    if fields:
        raise ValidationFailed(
            _("The bank details are not valid."), fields=fields, code="invalid_bank_details"
        )
    return {"account_holder": holder[:70], "routing_number": routing, "account_number": account}


def bank_details_give(*, claim: Claim, data: dict) -> ClaimPayout:
    """The shopper's bank account for the claim's payout: 400 ``invalid_bank_details``
    (naming the fields) for an invalid IBAN, BIC or routing number; 409 once the payout
    is in a file or paid."""
    with transaction.atomic():
        payout = ClaimPayout.objects.select_for_update().filter(claim=claim).first()
        if payout is None:
            raise NotFound(_("This claim has no payout to make."), code="no_claim_payout")
        if payout.state not in (
            ClaimPayoutState.AWAITING_DETAILS,
            ClaimPayoutState.DUE,
            ClaimPayoutState.REJECTED,
        ):
            raise Conflict(
                _("The payout is already on its way: its bank details can no longer change."),
                code="payout_in_progress",
            )
        details = _bank_details(payout, data)
        if payout.state == ClaimPayoutState.DUE:
            for name, value in details.items():
                setattr(payout, name, value)
        else:
            payout.give_details(**details)
        payout.save()
    return payout


def _debtor(currency: str) -> dict:
    account = settings.SETTLEMENT_BANK_ACCOUNTS.get(currency)
    if not account:
        raise ApplicationError(
            _("No bank account is configured to pay %(currency)s from.") % {"currency": currency},
            code="no_bank_account",
        )
    return account


def payout_file_create(*, currency: str, user=None) -> PayoutFile:
    """One file of every due payout in ``currency`` (each in one file only: the payouts
    are locked, and a concurrent run finds them batched). 409 ``nothing_to_pay``."""
    currency = currency.upper()
    if currency not in METHOD_OF_CURRENCY:
        raise ValidationFailed(
            _("Payment files are made for EUR, PLN and USD."),
            fields={"currency": [_("Not a payout currency.")]},
            code="invalid_currency",
        )
    method, account = METHOD_OF_CURRENCY[currency], _debtor(currency)
    now = timezone.now()
    with transaction.atomic():
        due = list(
            ClaimPayout.objects.select_for_update(skip_locked=True)
            .filter(state=ClaimPayoutState.DUE, currency=currency, method=method)
            .select_related("claim")
            .order_by("pk")[:5000]
        )
        if not due:
            raise Conflict(
                _("No %(currency)s payout is due.") % {"currency": currency}, code="nothing_to_pay"
            )
        reference = f"CDPF{now:%Y%m%d%H%M%S%f}"[:35]
        credits = [
            bank_files.Credit(
                end_to_end_id=p.end_to_end_id,
                name=p.account_holder,
                amount=p.amount,
                currency=currency,
                description=f"Coverdesk claim {p.claim.number}",
                iban=p.iban,
                bic=p.bic,
                routing_number=p.routing_number,
                account_number=p.account_number,
            )
            for p in due
        ]
        execution = timezone.localdate() + timedelta(days=1)
        if method == PayoutMethod.SEPA:
            content = bank_files.pain001(
                reference=reference, debtor=account, credits=credits, execution=execution
            )
        else:
            content = bank_files.nacha(
                reference=reference,
                originator=account,
                credits=credits,
                execution=execution,
                now=now,
            )
        file = PayoutFile.objects.create(
            method=method,
            currency=currency,
            reference=reference,
            content=content,
            total=sum(p.amount for p in due),
            count=len(due),
            created_by=user,
        )
        for payout in due:
            payout.batch(file=file)
            payout.save()
    return file


def _post_paid(payout: ClaimPayout, at, accounts: dict) -> None:
    """``accounts``: the file's currency's claims payable and bank cash (``_bank_books``)."""
    payable, bank = accounts["payable"], accounts["bank"]
    post(
        source=f"claim-payout:{payout.pk}:paid",
        kind="claim_payout",
        occurred_at=at,
        description=payout.end_to_end_id,
        reference=payout.file.reference if payout.file_id else "",
        lines=[Line(payable, payout.amount), Line(bank, -payout.amount)],
    )


def _bank_books(currency: str) -> dict:
    payable = AccountSpec(AccountPurpose.CLAIMS_PAYABLE, currency)
    bank = AccountSpec(AccountPurpose.BANK_CASH, currency)
    accounts = accounts_for([payable, bank])
    return {"payable": accounts[payable], "bank": accounts[bank]}


def payout_file_read_back(*, file_id: int, report: bytes) -> dict:
    """Settle a file's payouts from the bank's answer (pain.002, or a NACHA returns file):
    each accepted payout paid and posted once, each rejected one back to the shopper with
    the bank's reason. Reading the same answer again changes nothing."""
    with transaction.atomic():
        file = PayoutFile.objects.select_for_update().filter(pk=file_id).first()
        if file is None:
            raise NotFound(_("No such payment file."), code="payout_file_not_found")
        try:
            if file.method == PayoutMethod.SEPA:
                message, outcomes = bank_files.pain002(report)
                if message and message != file.reference:
                    raise ValueError(f"the report answers {message}, not {file.reference}")
            else:
                outcomes = bank_files.nacha_returns(report)
        except ValueError as exc:
            raise ValidationFailed(
                _("The bank's report cannot be read: %(error)s") % {"error": exc},
                code="invalid_bank_report",
            ) from None
        everything = next((o for o in outcomes if o.end_to_end_id == "*"), None)
        by_id = {o.end_to_end_id: o for o in outcomes}
        now, counts = timezone.now(), {"paid": 0, "rejected": 0, "unchanged": 0}
        books = _bank_books(file.currency)
        for payout in file.payouts.select_for_update().order_by("pk"):
            outcome = by_id.get(payout.end_to_end_id) or everything
            if outcome is None and file.method == PayoutMethod.NACHA:
                outcome = bank_files.Outcome(payout.end_to_end_id, True)  # not returned
            if outcome is None or payout.state != ClaimPayoutState.IN_FILE:
                counts["unchanged"] += 1
                continue
            if outcome.accepted:
                payout.pay(at=now)
                payout.save()
                _post_paid(payout, now, books)
                counts["paid"] += 1
            else:
                payout.reject(
                    reason=_("Rejected by the bank (%(code)s) in %(file)s.")
                    % {"code": outcome.reason or "RJCT", "file": file.reference}
                )
                payout.save()
                counts["rejected"] += 1
        if file.state == PayoutFileState.CREATED:
            file.read_back(at=now)
            file.save()
    return counts


# --- Repair partners: their invoices paid by Connect transfer ---------------------------------


def partner_payout_open(*, claim_id: int) -> ClaimPayout | None:
    """A repair done: the partner's invoice (the approved amount) is owed, by transfer to
    its connected account, once per claim."""
    claim = Claim.objects.select_related("resolution__partner").filter(pk=claim_id).first()
    resolution = getattr(claim, "resolution", None) if claim else None
    if (
        resolution is None
        or resolution.kind != ResolutionKind.REPAIR
        or resolution.partner_id is None
        or not claim.approved_amount
    ):
        return None
    payout, _created = ClaimPayout.objects.get_or_create(
        claim=claim,
        defaults={
            "method": PayoutMethod.CONNECT,
            "amount": claim.approved_amount,
            "currency": claim.currency,
            "end_to_end_id": f"CDC{claim.pk:012d}",
            "partner_id": resolution.partner_id,
            "account_holder": resolution.partner.name[:70],
            "state": ClaimPayoutState.DUE,
        },
    )
    return payout


def partner_onboarding_start(*, partner, return_url: str) -> str:
    """Stripe's onboarding for a repair partner's Express account (opened once)."""
    account = PartnerAccount.objects.filter(partner=partner).first()
    if account is None:
        created = stripe_gateway.connected_account_create(
            country="US",
            email=partner.email,
            idempotency_key=f"coverdesk-partner-{partner.pk}-account",
            metadata={"coverdesk_partner": str(partner.pk)},
        )
        account, _created = PartnerAccount.objects.get_or_create(
            partner=partner, defaults={"stripe_account_id": created.id}
        )
    return stripe_gateway.onboarding_link_create(
        account_id=account.stripe_account_id, return_url=return_url, refresh_url=return_url
    )


def partner_payout_execute(*, payout_id: int) -> ClaimPayout:
    """Transfer a due partner payout, once: the payout's own idempotency key and transfer
    group, and a retry asks Stripe for a transfer in the group first. A partner without an
    onboarded account, or a refusal, leaves it due with the reason. Call outside a
    transaction."""
    payout = ClaimPayout.objects.select_related("partner").get(pk=payout_id)
    if payout.state != ClaimPayoutState.DUE or payout.method != PayoutMethod.CONNECT:
        return payout
    group = f"coverdesk-claim-payout-{payout.pk}"
    try:
        account = PartnerAccount.objects.filter(partner_id=payout.partner_id).first()
        connected = (
            stripe_gateway.connected_account_retrieve(account.stripe_account_id)
            if account
            else None
        )
        if connected is None or not connected.transfers_active:
            raise ApplicationError(
                _("%(partner)s has not finished setting up payouts with Stripe.")
                % {"partner": payout.account_holder},
                code="account_not_onboarded",
            )
        transfer_id = stripe_gateway.transfer_find(
            transfer_group=group
        ) or stripe_gateway.transfer_create(
            account_id=account.stripe_account_id,
            amount=payout.amount,
            currency=payout.currency,
            idempotency_key=f"coverdesk-claim-payout-{payout.pk}",
            transfer_group=group,
            metadata={"coverdesk_claim_payout": str(payout.pk), "claim": payout.claim.number},
            description=f"Repair under claim {payout.claim.number}",
        )
    except ApplicationError as exc:
        ClaimPayout.objects.filter(pk=payout.pk, state=ClaimPayoutState.DUE).update(
            failure_reason=exc.message[:300]
        )
        payout.refresh_from_db()
        return payout
    with transaction.atomic():
        payout = ClaimPayout.objects.select_for_update().get(pk=payout_id)
        if payout.state == ClaimPayoutState.DUE:
            now = timezone.now()
            payout.pay(at=now, transfer_id=transfer_id)
            payout.failure_reason = ""
            payout.save()
            payable = AccountSpec(AccountPurpose.CLAIMS_PAYABLE, payout.currency)
            cash = AccountSpec(AccountPurpose.STRIPE_CASH, payout.currency)
            accounts = accounts_for([payable, cash])
            post(
                source=f"claim-payout:{payout.pk}:paid",
                kind="payout",
                occurred_at=now,
                description=transfer_id,
                reference=transfer_id,
                lines=[
                    Line(accounts[payable], payout.amount),
                    Line(accounts[cash], -payout.amount),
                ],
            )
    return payout


def partner_payouts_due() -> list[int]:
    return list(
        ClaimPayout.objects.filter(
            state=ClaimPayoutState.DUE, method=PayoutMethod.CONNECT
        ).values_list("pk", flat=True)[:200]
    )
