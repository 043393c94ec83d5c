"""Posting to the ledger: one balanced transaction per source event, once.

``post`` takes the lines of a transaction as (account, amount) pairs, debits positive and
credits negative, refuses lines that do not balance in each currency, and writes the
transaction with its entries in one database transaction. Its source is unique: posting
the same event again (a redelivered domain event, a retried task) returns the transaction
already there and writes nothing, and two workers posting it at once leave one.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backend.common.exceptions import ApplicationError
from backend.ledger.choices import KIND_OF_PURPOSE, AccountPurpose
from backend.ledger.models import Account, Entry, LedgerTransaction


class Unbalanced(ApplicationError):
    status_code = 500  # a posting rule is wrong: a bug, never the caller's input
    default_code = "ledger_unbalanced"


@dataclass(frozen=True)
class Line:
    account: Account
    amount: int  # debit +, credit -


@dataclass(frozen=True)
class AccountSpec:
    purpose: AccountPurpose
    currency: str
    merchant_id: int | None = None
    provider_id: int | None = None
    plan_id: int | None = None  # an obligor's accounts are kept per plan it backs
    jurisdiction: str = ""

    @property
    def key(self) -> str:
        parts = [str(self.purpose), self.currency]
        if self.merchant_id is not None:
            parts.append(f"m{self.merchant_id}")
        if self.provider_id is not None:
            parts.append(f"p{self.provider_id}")
        if self.plan_id is not None:
            parts.append(f"plan{self.plan_id}")
        if self.jurisdiction:
            parts.append(self.jurisdiction)
        return ":".join(parts)


def accounts_for(specs: list[AccountSpec]) -> dict[AccountSpec, Account]:
    """The accounts of ``specs``, opened on first use: one query when they all exist."""
    found = {a.key: a for a in Account.objects.filter(key__in=[s.key for s in specs])}
    accounts = {}
    for spec in specs:
        account = found.get(spec.key)
        if account is None:
            account = found[spec.key] = _open(spec)
        accounts[spec] = account
    return accounts


def account_for(purpose: AccountPurpose, currency: str, **party) -> Account:
    spec = AccountSpec(purpose, currency, **party)
    return accounts_for([spec])[spec]


def _open(spec: AccountSpec) -> Account:
    try:
        with transaction.atomic():
            return Account.objects.create(
                key=spec.key,
                purpose=spec.purpose,
                kind=KIND_OF_PURPOSE[spec.purpose],
                currency=spec.currency,
                merchant_id=spec.merchant_id,
                provider_id=spec.provider_id,
                plan_id=spec.plan_id,
                jurisdiction=spec.jurisdiction,
            )
    except IntegrityError:  # opened by a concurrent posting meanwhile
        return Account.objects.get(key=spec.key)


def imbalance(lines: list[Line]) -> dict[str, int]:
    """Each currency whose lines do not sum to zero, with the sum (empty when balanced)."""
    sums: dict[str, int] = defaultdict(int)
    for line in lines:
        sums[line.account.currency] += line.amount
    return {currency: total for currency, total in sums.items() if total}


def post(
    *,
    source: str,
    kind: str,
    lines: list[Line],
    occurred_at: datetime,
    description: str = "",
    reference: str = "",
) -> LedgerTransaction | None:
    """Write the transaction of ``source`` once; a second posting returns the first.
    Lines that are all zero (a refund of nothing) post nothing and return None."""
    lines = [line for line in lines if line.amount]
    if not lines:
        return None
    off = imbalance(lines)
    if off:
        raise Unbalanced(
            _("The entries of %(source)s do not balance: %(off)s.")
            % {"source": source, "off": ", ".join(f"{c} {t:+d}" for c, t in sorted(off.items()))}
        )
    existing = LedgerTransaction.objects.filter(source=source).first()
    if existing is not None:
        return existing
    nested = transaction.get_connection().in_atomic_block
    try:
        # Inside the caller's transaction (a delivery's) no savepoint: a concurrent posting
        # of the same source fails the caller, whose retry finds this one posted.
        with transaction.atomic(savepoint=False):
            posted = LedgerTransaction.objects.create(
                source=source,
                kind=kind,
                description=description[:300],
                reference=reference,
                occurred_at=occurred_at,
            )
            Entry.objects.bulk_create(
                Entry(
                    transaction=posted,
                    account=line.account,
                    amount=line.amount,
                    currency=line.account.currency,
                )
                for line in lines
            )
    except IntegrityError:
        if nested:
            raise
        return LedgerTransaction.objects.get(source=source)  # another worker's stands
    return posted
