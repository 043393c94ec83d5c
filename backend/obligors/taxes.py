"""Tax by jurisdiction for a closed month: what finance files with each state that taxes
service contracts (``plans.taxes``).

Per jurisdiction and currency: the taxed contracts sold in the month and their prices, the
tax the ledger's tax payable account took in on sales, gave back on refunds and reversed
on chargebacks, the month's net, and what is payable at the month's end. The money
figures are the ledger's own (``ledger.postings`` posts every sale, cancellation and
chargeback to the jurisdiction's account), so they are the same in every report.
"""

from django.db.models import Count, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from backend.common.dates import midnight
from backend.common.jurisdictions import place_name
from backend.contracts.models import Contract
from backend.ledger.choices import AccountPurpose
from backend.ledger.models import Entry
from backend.legal.rendering import tax_rows
from backend.obligors.models import MonthClose
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
    for figures in rows.values():
        figures["net"] = figures["collected"] - figures["refunded"] - figures["charged_back"]
    return [rows[key] for key in sorted(rows)]


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
        ],
        ([figures[name] for name in FIELDS] for figures in tax_figures(close)),
    )
