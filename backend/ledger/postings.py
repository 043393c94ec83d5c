"""What each money event posts. Every rule returns balanced lines; ``services.post`` writes
them once per source.

A sale (a contract activated) is posted per contract, from the split it snapshotted at sale
(``plans.split``): cash at Stripe is debited with the price (or, for a sale the merchant's
own store took the money for, what the store owes Coverdesk), and credited to what the sale
owes: the tax included in the price (payable to the shopper's jurisdiction), the merchant's
commission, the obligor's net premium (unearned until it is earned over the coverage term)
and the administrator's fee. A contract sold before splits existed owes its whole price to
the obligor.

A cancellation posts what its refund takes back from each party (``plans.split.
refund_shares``: the tax pro rata, the commission by the plan's clawback rules, the fee
pro rata, the rest from the obligor), owed to the shopper until Stripe pays it; the
contract's premium still unearned on the cancellation date leaves the unearned account,
and what the obligor does not give back of it is earned. The refund, once paid, moves that
debt out of cash at Stripe. A chargeback (the contract voided) takes the whole price back
from every party, the tax too. A claim approved for an amount is owed, from the obligor's
funds, to whoever the claim pays.

Descriptions are language-neutral (the contract's number, Stripe's transfer id): the
statements that show them are written in each merchant's language.
"""

from datetime import date

from django.utils import timezone

from backend.claims.models import Claim
from backend.contracts.models import Contract
from backend.ledger.choices import AccountPurpose
from backend.ledger.earning import contract_net_premium, contract_unearned
from backend.ledger.models import LedgerTransaction
from backend.ledger.services import AccountSpec, Line, accounts_for, post
from backend.payments.choices import PaymentChannel
from backend.payments.models import Refund
from backend.plans.split import refund_shares

_CONTRACT_FIELDS = (
    "pk",
    "number",
    "price",
    "net_premium",
    "currency",
    "merchant_id",
    "plan__provider_id",
    "plan_id",
    "plan_snapshot",
    "jurisdiction",
    "activated_at",
    "purchased_at",
    "coverage_start",
    "coverage_end",
    "ended_at",
    "order_line__order__payment__stripe_payment_intent_id",
    "order_line__order__payment__stripe_dispute_id",
    "order_line__order__payment__channel",
    "order_line__order__payment__store_reference",
)


def _contract(contract_id: int) -> Contract | None:
    return (
        Contract.objects.select_related("plan", "order_line__order__payment")
        .filter(pk=contract_id)
        .only(*_CONTRACT_FIELDS)
        .first()
    )


def contract_split(contract: Contract) -> dict:
    """The contract's split as sold; one sold before splits: all of it premium."""
    split = contract.plan_snapshot.get("price_split") or {
        "merchant_commission": 0,
        "administrator_fee": 0,
    }
    return {**split, "price": contract.price, "net_premium": contract_net_premium(contract)}


def _stripe_reference(contract: Contract, *, dispute: bool = False) -> str:
    """The Stripe object the contract's money moved through: its order's PaymentIntent,
    or (``dispute``) the dispute that took it back, where there is one; for a payment
    taken at the merchant's store, the store's reference."""
    payment = getattr(contract.order_line.order, "payment", None)
    if payment is None:
        return ""
    if payment.channel == PaymentChannel.STORE:
        return payment.store_reference
    return (dispute and payment.stripe_dispute_id) or payment.stripe_payment_intent_id or ""


def _at_store(contract: Contract) -> bool:
    payment = getattr(contract.order_line.order, "payment", None)
    return payment is not None and payment.channel == PaymentChannel.STORE


P = AccountPurpose

# The rules, pure: {account purpose: amount} for one contract, debits +, credits -.


def sale_lines(split: dict, *, at_store: bool = False) -> dict[str, int]:
    """``at_store``: the merchant's store took the price, and owes it (less its commission,
    which it keeps on its statement) instead of Stripe holding it."""
    return {
        P.STORE_RECEIVABLE if at_store else P.STRIPE_CASH: split["price"],
        P.OWED_TO_MERCHANT: -split["merchant_commission"],
        P.OBLIGOR_UNEARNED_PREMIUM: -split["net_premium"],
        P.ADMINISTRATOR_REVENUE: -split["administrator_fee"],
        P.TAX_PAYABLE: -split.get("tax", 0),
    }


def cancellation_lines(split: dict, *, refund: int, free_look: bool, unearned: int) -> dict:
    """``unearned``: the contract's premium still unearned on the cancellation date."""
    shares = refund_shares(split, refund=refund, free_look=free_look)
    return {
        P.OWED_TO_MERCHANT: shares.merchant_commission,  # the clawback
        P.ADMINISTRATOR_REVENUE: shares.administrator_fee,
        P.OBLIGOR_UNEARNED_PREMIUM: unearned,
        P.OWED_TO_OBLIGOR: shares.net_premium - unearned,  # the rest, earned
        P.TAX_PAYABLE: shares.tax,
        P.REFUNDS_PAYABLE: -refund,
    }


def chargeback_lines(split: dict, *, unearned: int) -> dict[str, int]:
    return {
        P.STRIPE_CASH: -split["price"],
        P.OWED_TO_MERCHANT: split["merchant_commission"],
        P.ADMINISTRATOR_REVENUE: split["administrator_fee"],
        P.OBLIGOR_UNEARNED_PREMIUM: unearned,
        P.OWED_TO_OBLIGOR: split["net_premium"] - unearned,
        P.TAX_PAYABLE: split.get("tax", 0),
    }


def _obligor(contract: Contract) -> dict:
    return {"provider_id": contract.plan.provider_id, "plan_id": contract.plan_id}


def _lines(contract: Contract, amounts: dict[str, int]) -> list[Line]:
    """The rule's amounts on the contract's accounts (its merchant's, its obligor's, its
    jurisdiction's tax); an account is opened only for an amount."""
    party = {
        P.OWED_TO_MERCHANT: {"merchant_id": contract.merchant_id},
        P.STORE_RECEIVABLE: {"merchant_id": contract.merchant_id},
        P.OBLIGOR_UNEARNED_PREMIUM: _obligor(contract),
        P.OWED_TO_OBLIGOR: _obligor(contract),
        P.TAX_PAYABLE: {"jurisdiction": contract.jurisdiction},
    }
    amounts = {p: amount for p, amount in amounts.items() if amount}
    specs = {p: AccountSpec(p, contract.currency, **party.get(p, {})) for p in amounts}
    accounts = accounts_for(list(specs.values()))
    return [Line(accounts[specs[p]], amount) for p, amount in amounts.items()]


def _sale_posted(contract: Contract) -> bool:
    return LedgerTransaction.objects.filter(source=f"contract:{contract.pk}:sale").exists()


def sale_post(*, contract_id: int) -> LedgerTransaction | None:
    contract = _contract(contract_id)
    if contract is None:
        return None
    return post(
        source=f"contract:{contract.pk}:sale",
        kind="sale",
        occurred_at=contract.activated_at or contract.purchased_at,
        description=contract.number,
        reference=_stripe_reference(contract),
        lines=_lines(contract, sale_lines(contract_split(contract), at_store=_at_store(contract))),
    )


def cancellation_post(*, contract_id: int, refund_id: int) -> LedgerTransaction | None:
    """The cancellation of a contract whose sale is posted, with the refund it owes."""
    contract = _contract(contract_id)
    refund = Refund.objects.filter(pk=refund_id, contract_id=contract_id).first()
    if contract is None or refund is None or not _sale_posted(contract):
        return None
    amounts = cancellation_lines(
        contract_split(contract),
        refund=refund.amount,
        free_look=refund.quote["free_look"],
        unearned=contract_unearned(contract, date.fromisoformat(refund.quote["cancel_on"])),
    )
    return post(
        source=f"contract:{contract.pk}:cancellation",
        kind="cancellation",
        occurred_at=refund.requested_at,
        description=contract.number,
        lines=_lines(contract, amounts),
    )


def refund_paid_post(*, refund_id: int) -> LedgerTransaction | None:
    """Stripe paid the shopper back: the debt leaves cash at Stripe. A store that took the
    payment paid its shopper back itself: the debt comes off what the store owes."""
    refund = (
        Refund.objects.select_related("payment", "payment__order")
        .filter(pk=refund_id)
        .only(
            "pk", "amount", "currency", "stripe_refund_id", "succeeded_at", "contract_id",
            "payment__channel", "payment__order__merchant_id",
        )
        .first()
    )  # fmt: skip
    if refund is None or not refund.amount:
        return None
    if refund.payment.channel == PaymentChannel.STORE:
        paid_from = AccountSpec(
            P.STORE_RECEIVABLE, refund.currency, merchant_id=refund.payment.order.merchant_id
        )
    else:
        paid_from = AccountSpec(P.STRIPE_CASH, refund.currency)
    return _move(
        source=f"refund:{refund.pk}:paid",
        kind="refund",
        to=AccountSpec(P.REFUNDS_PAYABLE, refund.currency),
        out_of=paid_from,
        amount=refund.amount,
        at=refund.succeeded_at,
        description=f"Refund of contract {refund.contract_id}",
        reference=refund.stripe_refund_id,
    )


def chargeback_post(*, contract_id: int) -> LedgerTransaction | None:
    """A disputed payment voided the contract: Stripe takes its price back, and every
    party gives back its part of the sale (the obligor what it earned as well). Its
    reference is Stripe's dispute, which the reconciliation matches."""
    contract = _contract(contract_id)
    if contract is None or not _sale_posted(contract):
        return None
    voided_at = contract.ended_at or contract.activated_at
    unearned = contract_unearned(contract, timezone.localdate(voided_at))
    return post(
        source=f"contract:{contract.pk}:chargeback",
        kind="chargeback",
        occurred_at=voided_at,
        description=contract.number,
        reference=_stripe_reference(contract, dispute=True),
        lines=_lines(contract, chargeback_lines(contract_split(contract), unearned=unearned)),
    )


def _move(
    *, source: str, kind: str, to: AccountSpec, out_of: AccountSpec, amount: int, at,
    description: str, reference: str,
) -> LedgerTransaction | None:  # fmt: skip
    """``amount`` moved from one account to another: a debit ``to``, a credit ``out_of``."""
    accounts = accounts_for([to, out_of])
    return post(
        source=source,
        kind=kind,
        occurred_at=at,
        description=description,
        reference=reference,
        lines=[Line(accounts[to], amount), Line(accounts[out_of], -amount)],
    )


def tax_remittance_post(
    *, remittance_id: int, jurisdiction: str, currency: str, amount: int, at, reference: str
) -> LedgerTransaction | None:
    """Tax paid to ``jurisdiction`` from the bank: what the sales left payable to it."""
    return _move(
        source=f"tax-remittance:{remittance_id}",
        kind="tax_remittance",
        to=AccountSpec(P.TAX_PAYABLE, currency, jurisdiction=jurisdiction),
        out_of=AccountSpec(P.BANK_CASH, currency),
        amount=amount,
        at=at,
        description=f"Tax paid to {jurisdiction}",
        reference=reference,
    )


def merchant_payout_post(
    *, payout_id: int, merchant_id: int, amount: int, currency: str, transfer_id: str, at
) -> LedgerTransaction | None:
    """A payout transferred to the merchant's connected account: what it was owed, out of
    cash at Stripe."""
    return _move(
        source=f"payout:{payout_id}",
        kind="payout",
        to=AccountSpec(P.OWED_TO_MERCHANT, currency, merchant_id=merchant_id),
        out_of=AccountSpec(P.STRIPE_CASH, currency),
        amount=amount,
        at=at,
        description=transfer_id,
        reference=transfer_id,
    )


def merchant_adjustment_post(
    *, source: str, merchant_id: int, amount: int, currency: str, reason: str, at
) -> LedgerTransaction | None:
    """Finance credits (``amount`` > 0) or debits a merchant by hand, from the
    administrator's own revenue: the correction shows on the next statement."""
    owed = AccountSpec(P.OWED_TO_MERCHANT, currency, merchant_id=merchant_id)
    revenue = AccountSpec(P.ADMINISTRATOR_REVENUE, currency)
    accounts = accounts_for([owed, revenue])
    return post(
        source=source,
        kind="adjustment",
        occurred_at=at,
        description=reason,
        lines=[Line(accounts[owed], -amount), Line(accounts[revenue], amount)],
    )


def claim_approved_post(*, claim_id: int) -> LedgerTransaction | None:
    """A claim approved for an amount: the obligor's funds owe it to the shopper or the
    repair partner until the payout is made."""
    claim = (
        Claim.objects.select_related("contract__plan")
        .filter(pk=claim_id)
        .only(
            "pk",
            "number",
            "approved_amount",
            "currency",
            "decided_at",
            "contract__plan_id",
            "contract__plan__provider_id",
        )
        .first()
    )
    if claim is None or not claim.approved_amount:
        return None
    fund = AccountSpec(P.OWED_TO_OBLIGOR, claim.currency, **_obligor(claim.contract))
    payable = AccountSpec(P.CLAIMS_PAYABLE, claim.currency)
    accounts = accounts_for([fund, payable])
    return post(
        source=f"claim:{claim.pk}:approved",
        kind="claim",
        occurred_at=claim.decided_at,
        description=claim.number,
        lines=[
            Line(accounts[fund], claim.approved_amount),
            Line(accounts[payable], -claim.approved_amount),
        ],
    )
