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


def account_key(
    purpose: str, currency: str, *, merchant_id=None, provider_id=None, jurisdiction=""
):
    parts = [str(purpose), currency]
    if merchant_id is not None:
        parts.append(f"m{merchant_id}")
    if provider_id is not None:
        parts.append(f"p{provider_id}")
    if jurisdiction:
        parts.append(jurisdiction)
    return ":".join(parts)


def account_for(
    purpose: AccountPurpose, currency: str, *, merchant_id=None, provider_id=None, jurisdiction=""
) -> Account:
    """The account for ``purpose`` in ``currency`` (of a party, where it has one), opened
    on first use."""
    key = account_key(
        purpose,
        currency,
        merchant_id=merchant_id,
        provider_id=provider_id,
        jurisdiction=jurisdiction,
    )
    account = Account.objects.filter(key=key).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(
                key=key,
                purpose=purpose,
                kind=KIND_OF_PURPOSE[purpose],
                currency=currency,
                merchant_id=merchant_id,
                provider_id=provider_id,
                jurisdiction=jurisdiction,
            )
    except IntegrityError:  # opened by a concurrent posting meanwhile
        return Account.objects.get(key=key)


def imbalance(lines: list[Line]) -> dict[str, int]:
    """Each currency whose lines do not sum to zero, with the sum (empty when balanced)."""
    sums: dict[str, int] = defaultdict(int)
    for line in lines:
        sums[line.account.currency] += line.amount
    return {currency: total for currency, total in sums.items() if total}


def post(
    *, source: str, kind: str, lines: list[Line], occurred_at: datetime, description: str = ""
) -> LedgerTransaction:
    """Write the transaction of ``source`` once; a second posting returns the first."""
    lines = [line for line in lines if line.amount]
    if not lines:
        raise Unbalanced(_("A ledger transaction needs at least one non-zero entry."))
    off = imbalance(lines)
    if off:
        raise Unbalanced(
            _("The entries of %(source)s do not balance: %(off)s.")
            % {"source": source, "off": ", ".join(f"{c} {t:+d}" for c, t in sorted(off.items()))}
        )
    existing = LedgerTransaction.objects.filter(source=source).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            posted = LedgerTransaction.objects.create(
                source=source, kind=kind, description=description[:300], occurred_at=occurred_at
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
        # Another worker posted the same source first: its transaction is the one.
        return LedgerTransaction.objects.get(source=source)
    return posted
