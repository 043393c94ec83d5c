"""What each money event posts. Every rule returns balanced lines; ``services.post`` writes
them once per source.

A sale (a contract activated) is posted per contract, from the split it snapshotted at sale
(``plans.split``): cash at Stripe is debited with the price, and credited to what the sale
owes: the merchant's commission, the obligor's net premium (unearned until it is earned
over the coverage term) and the administrator's fee. A contract sold before splits
existed owes its whole price to the obligor.
"""

from backend.contracts.models import Contract
from backend.ledger.choices import AccountPurpose
from backend.ledger.models import LedgerTransaction
from backend.ledger.services import AccountSpec, Line, accounts_for, post


def _split(contract: Contract) -> dict:
    return contract.plan_snapshot.get("price_split") or {
        "merchant_commission": 0,
        "administrator_fee": 0,
        "net_premium": contract.price,
    }


def sale_post(*, contract_id: int) -> LedgerTransaction | None:
    contract = (
        Contract.objects.select_related("plan")
        .filter(pk=contract_id)
        .only(
            "pk",
            "number",
            "price",
            "currency",
            "merchant_id",
            "plan__provider_id",
            "plan_snapshot",
            "activated_at",
            "purchased_at",
        )
        .first()
    )
    if contract is None:
        return None
    split, currency = _split(contract), contract.currency
    cash = AccountSpec(AccountPurpose.STRIPE_CASH, currency)
    merchant = AccountSpec(
        AccountPurpose.OWED_TO_MERCHANT, currency, merchant_id=contract.merchant_id
    )
    obligor = AccountSpec(
        AccountPurpose.OBLIGOR_UNEARNED_PREMIUM, currency, provider_id=contract.plan.provider_id
    )
    administrator = AccountSpec(AccountPurpose.ADMINISTRATOR_REVENUE, currency)
    accounts = accounts_for([cash, merchant, obligor, administrator])
    return post(
        source=f"contract:{contract.pk}:sale",
        kind="sale",
        occurred_at=contract.activated_at or contract.purchased_at,
        description=f"Sale of {contract.number}",
        lines=[
            Line(accounts[cash], contract.price),
            Line(accounts[merchant], -split["merchant_commission"]),
            Line(accounts[obligor], -split["net_premium"]),
            Line(accounts[administrator], -split["administrator_fee"]),
        ],
    )
