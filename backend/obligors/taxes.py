"""Tax by jurisdiction for a closed month: what finance files with each state that taxes
service contracts (``plans.taxes``), and the tax paid to it.

Per jurisdiction and currency: the taxed contracts sold in the month and their prices, the
tax the ledger's tax payable account took in on sales, gave back on refunds and reversed
on chargebacks, the month's net, what is payable at the month's end, and what finance has
paid the state for the month (``tax_remit``: once per jurisdiction, currency and month,
posted to the ledger). The money figures are the ledger's own (``ledger.postings`` posts
every sale, cancellation and chargeback to the jurisdiction's account), so they are the
same in every report.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from backend.common.dates import midnight
from backend.common.exceptions import Conflict, ValidationFailed
from backend.common.jurisdictions import place_name
from backend.contracts.models import Contract
from backend.ledger.choices import AccountPurpose
from backend.ledger.models import Account, Entry
from backend.ledger.postings import tax_remittance_post
from backend.legal.rendering import tax_rows
from backend.obligors.models import MonthClose, TaxRemittance
from backend.obligors.reports import Report
from backend.obligors.services import month_bounds
from backend.plans.taxes import tax_rules

FIELDS = (
    "jurisdiction",
    "place",
    "taxes",
    "currency",
    "contracts",
    "taxable_sales",
    "collected",
    "refunded",
    "charged_back",
    "net",
    "payable",
    "remitted",
)


def _taxes_now(jurisdiction: str, currency: str, language: str) -> str:
    """The jurisdiction's taxes as its pack has them now, named, with their rates."""
    rules = [
        {"id": r.id, "names": dict(r.names), "rate_bp": r.rate_bp} for r in tax_rules(jurisdiction)
    ]
    return "; ".join(
        f"{row['name']} {row['rate_display']}".strip()
        for row in tax_rows(rules, currency, language)
    )


def tax_figures(close: MonthClose) -> list[dict]:
    """One dict per jurisdiction and currency with a sale or a movement of tax by the
    month's end, sorted; amounts in minor units, owed tax positive."""
    start, end = month_bounds(close.month)
    since, until = midnight(start), midnight(end)
    language = get_language() or "en"
    rows: dict[tuple[str, str], dict] = {}

    def row(jurisdiction: str, currency: str) -> dict:
        key = (jurisdiction, currency)
        if key not in rows:
            rows[key] = {
                "jurisdiction": jurisdiction,
                "place": place_name(jurisdiction, language),
                "taxes": _taxes_now(jurisdiction, currency, language),
                "currency": currency,
                **dict.fromkeys(FIELDS[4:], 0),
            }
        return rows[key]

    sold = (
        Contract.objects.filter(activated_at__gte=since, activated_at__lt=until, tax__gt=0)
        .values_list("jurisdiction", "currency")
        .annotate(count=Count("pk"), prices=Sum("price"))
        .order_by()
    )
    for jurisdiction, currency, count, prices in sold:
        figures = row(jurisdiction, currency)
        figures["contracts"], figures["taxable_sales"] = count, prices
    entries = Entry.objects.filter(account__purpose=AccountPurpose.TAX_PAYABLE).order_by()
    moved = (
        entries.filter(transaction__occurred_at__gte=since, transaction__occurred_at__lt=until)
        .values_list("account__jurisdiction", "currency", "transaction__kind")
        .annotate(total=Sum("amount"))
    )
    column = {"sale": "collected", "cancellation": "refunded", "chargeback": "charged_back"}
    for jurisdiction, currency, kind, total in moved:
        name = column.get(kind)
        if name is not None:
            row(jurisdiction, currency)[name] += -total if name == "collected" else total
    payable = (
        entries.filter(transaction__occurred_at__lt=until)
        .values_list("account__jurisdiction", "currency")
        .annotate(total=Sum("amount"))
    )
    for jurisdiction, currency, total in payable:
        row(jurisdiction, currency)["payable"] = -total
    for jurisdiction, currency, amount in close.remittances.values_list(
        "jurisdiction", "currency", "amount"
    ):
        row(jurisdiction, currency)["remitted"] = amount
    for figures in rows.values():
        figures["net"] = figures["collected"] - figures["refunded"] - figures["charged_back"]
    return [rows[key] for key in sorted(rows)]


def _payable_now(jurisdiction: str, currency: str) -> int:
    total = Entry.objects.filter(
        account__purpose=AccountPurpose.TAX_PAYABLE,
        account__jurisdiction=jurisdiction,
        account__currency=currency,
    ).aggregate(total=Sum("amount"))["total"]
    return -(total or 0)


def tax_remit(
    *,
    close: MonthClose,
    jurisdiction: str,
    currency: str,
    amount: int,
    reference: str,
    paid_on: date,
    user=None,
) -> TaxRemittance:
    """Record the tax paid to ``jurisdiction`` for the closed month, and post it: once
    (409 ``tax_remitted`` after), never above what is payable to it now (400
    ``remittance_exceeds_payable``)."""
    with transaction.atomic():
        if TaxRemittance.objects.filter(
            close=close, jurisdiction=jurisdiction, currency=currency
        ).exists():
            raise _remitted(close, jurisdiction)
        # The jurisdiction's account, locked: two payments at once cannot both fit.
        Account.objects.select_for_update().filter(
            purpose=AccountPurpose.TAX_PAYABLE, jurisdiction=jurisdiction, currency=currency
        ).first()
        payable = _payable_now(jurisdiction, currency)
        if amount > payable:
            owed = _("Only %(payable)s %(currency)s of tax is payable to %(jurisdiction)s.")
            raise ValidationFailed(
                owed % {"jurisdiction": jurisdiction, "payable": payable, "currency": currency},
                fields={"amount": [_("At most %(payable)s.") % {"payable": payable}]},
                code="remittance_exceeds_payable",
            )
        try:
            with transaction.atomic():
                remittance = TaxRemittance.objects.create(
                    close=close,
                    jurisdiction=jurisdiction,
                    currency=currency,
                    amount=amount,
                    reference=reference,
                    paid_on=paid_on,
                    recorded_by=user,
                )
        except IntegrityError:  # recorded by a concurrent request meanwhile
            raise _remitted(close, jurisdiction) from None
        tax_remittance_post(
            remittance_id=remittance.pk,
            jurisdiction=jurisdiction,
            currency=currency,
            amount=amount,
            at=midnight(paid_on),  # the day the state was paid
            reference=reference,
        )
    return remittance


def _remitted(close: MonthClose, jurisdiction: str) -> Conflict:
    return Conflict(
        _("The tax of %(month)s is paid to %(jurisdiction)s already.")
        % {"month": f"{close.month:%Y-%m}", "jurisdiction": jurisdiction},
        code="tax_remitted",
    )


def tax_report(close: MonthClose) -> Report:
    return Report(
        _("Tax by jurisdiction"),
        [
            _("Jurisdiction"),
            _("Place"),
            _("Taxes (rates now)"),
            _("Currency"),
            _("Taxed contracts sold"),
            _("Taxable sales"),
            _("Tax collected"),
            _("Tax refunded"),
            _("Tax charged back"),
            _("Net tax for the month"),
            _("Tax payable at month end"),
            _("Tax paid for the month"),
        ],
        ([figures[name] for name in FIELDS] for figures in tax_figures(close)),
    )
