"""The obligor's reports of a closed month, as rows: the premium and claims bordereaux
(one row per contract and per claim, as at the month's end), the unearned premium reserve,
the loss runs, the remittance statement and the Texas quarterly account report. Written as
CSV or XLSX (``write``); every text cell is neutralised for spreadsheets.

Totals come from the month's frozen figures (``PlanMonth``); the bordereaux's rows are the
contracts and claims behind them, and their sums are the same figures (tests hold them to
it)."""

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import CharField, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from openpyxl import Workbook

from backend.claims.choices import ClaimState
from backend.claims.models import Claim, ClaimEvent
from backend.common.dates import midnight
from backend.common.spreadsheets import safe_cell
from backend.contracts.models import Contract
from backend.ledger.postings import contract_split
from backend.obligors.figures import UNDECIDED
from backend.obligors.models import MonthClose, PlanMonth
from backend.obligors.services import month_bounds
from backend.payments.models import Refund
from backend.plans.split import refund_shares


@dataclass(frozen=True)
class Report:
    title: str
    columns: list[str]
    rows: Iterable[list]


def premium_bordereau(provider_id: int, close: MonthClose) -> Report:
    """Every contract sold in the month, and every one whose cancellation the month saw."""
    start, end = month_bounds(close.month)
    since, until = midnight(start), midnight(end)
    refunds = {
        r.contract_id: r
        for r in Refund.objects.filter(
            contract__plan__provider_id=provider_id, requested_at__gte=since, requested_at__lt=until
        )
    }
    # The rows' cells only, the JSON keys read in SQL: no contract (nor its snapshots) is
    # loaded as a model, but the cancelled ones' splits, in one query.
    splits = {
        c.pk: contract_split(c)
        for c in Contract.objects.filter(pk__in=list(refunds)).only(
            "pk", "price", "net_premium", "plan_snapshot"
        )
    }
    contracts = (
        Contract.objects.filter(plan__provider_id=provider_id)
        .filter(Q(activated_at__gte=since, activated_at__lt=until) | Q(pk__in=list(refunds)))
        .order_by("activated_at", "pk")
        .values_list(
            "pk", "number", "plan__code", KeyTextTransform("title", "product_snapshot"),
            KeyTextTransform("sku", "product_snapshot"), "jurisdiction", "activated_at",
            KeyTextTransform("term_months", "plan_snapshot"), "coverage_start", "coverage_end",
            "currency", "price", "net_premium", "tax",
        )
    )  # fmt: skip

    def rows() -> Iterator[list]:
        for (pk, number, plan, title, sku, place, activated, term, cover_from, cover_to,
             currency, price, net, tax) in contracts.iterator(chunk_size=5000):  # fmt: skip
            refund = refunds.get(pk)
            net = price if net is None else net
            share = (
                refund_shares(splits[pk], refund=refund.amount, free_look=refund.quote["free_look"])
                if refund is not None
                else None
            )
            sold_in_month = activated is not None and since <= activated < until
            yield [
                number, plan, title or "", sku or "", place,
                activated.date() if activated else None, int(term) if term else None,
                cover_from, cover_to, currency,
                price if sold_in_month else 0,
                net if sold_in_month else 0,
                tax if sold_in_month else 0,
                refund.requested_at.date() if refund else None,
                refund.amount if refund else 0,
                share.net_premium if share else 0,
            ]  # fmt: skip

    return Report(
        _("Premium bordereau"),
        [
            _("Contract"),
            _("Plan"),
            _("Product"),
            _("SKU"),
            _("Jurisdiction"),
            _("Sale date"),
            _("Term (months)"),
            _("Coverage start"),
            _("Coverage end"),
            _("Currency"),
            _("Gross price"),
            _("Net premium"),
            _("Tax"),
            _("Cancellation date"),
            _("Refund"),
            _("Refund of net premium"),
        ],
        rows(),
    )


def claims_bordereau(provider_id: int, close: MonthClose) -> Report:
    """Every claim filed by the month's end and not closed before it began, as it stood at
    the month's end (its state then, from its audit trail: the report of a closed month
    reads the same whenever it is asked for): paid if it was decided by the end, reserved
    (its requested or claimed amount) if not."""
    start, end = month_bounds(close.month)
    since, until = midnight(start), midnight(end)
    states = dict(ClaimState.choices)
    state_then = Coalesce(
        Subquery(
            ClaimEvent.objects.filter(claim_id=OuterRef("pk"), created_at__lt=until)
            .exclude(to_state="")
            .order_by("-created_at", "-pk")
            .values("to_state")[:1]
        ),
        "state",
        output_field=CharField(),
    )
    claims = (
        Claim.objects.filter(contract__plan__provider_id=provider_id, created_at__lt=until)
        .exclude(closed_at__lt=since)
        .annotate(state_then=state_then)
        .order_by("created_at", "pk")
        .values_list(
            "number", "contract__number", "contract__plan__code",
            KeyTextTransform("title", "contract__product_snapshot"), "contract__jurisdiction",
            "failure_date", "created_at", "state_then", "decided_at", "currency",
            "approved_amount", "requested_amount", "claimed_amount",
        )
    )  # fmt: skip

    def rows() -> Iterator[list]:
        for (number, contract, plan, title, place, loss, filed, state, decided_at, currency,
             approved, requested, claimed) in claims.iterator(chunk_size=5000):  # fmt: skip
            decided = decided_at is not None and decided_at < until
            reserved = (state in UNDECIDED or not decided) and state != ClaimState.WITHDRAWN
            yield [
                number, contract, plan, title or "", place, loss, filed.date(),
                str(states.get(state, state)), decided_at.date() if decided else None,
                currency,
                (approved or 0) if decided else 0,
                (approved or 0) if decided and decided_at >= since else 0,
                (requested or claimed or 0) if reserved else 0,
            ]  # fmt: skip

    return Report(
        _("Claims bordereau"),
        [
            _("Claim"),
            _("Contract"),
            _("Plan"),
            _("Product"),
            _("Jurisdiction"),
            _("Loss date"),
            _("Reported"),
            _("Status"),
            _("Decided"),
            _("Currency"),
            _("Paid to date"),
            _("Paid in the month"),
            _("Reserved"),
        ],
        rows(),
    )


def _plan_months(provider_id: int, closes: list[MonthClose]):
    return (
        PlanMonth.objects.filter(provider_id=provider_id, close__in=closes)
        .select_related("plan", "close")
        .order_by("close__month", "plan__code", "currency")
    )


def reserve(provider_id: int, close: MonthClose) -> Report:
    """The unearned premium reserve at the month's end, pro rata by day, per plan."""
    rows = [
        [f"{pm.close.month:%Y-%m}", pm.plan.code, pm.currency, pm.in_force, pm.unearned]
        for pm in _plan_months(provider_id, [close])
    ]
    return Report(
        _("Unearned premium reserve"),
        [_("Month"), _("Plan"), _("Currency"), _("Contracts in force"), _("Unearned premium")],
        rows,
    )


def loss_run(provider_id: int, close: MonthClose) -> Report:
    """Per plan and month, every closed month up to this one: earned, paid, reserved, IBNR
    (the plan's factor of the premium earned), incurred and the loss ratio."""
    closes = list(MonthClose.objects.filter(month__lte=close.month))
    rows = []
    for pm in _plan_months(provider_id, closes):
        ratio = round(pm.incurred / pm.earned, 4) if pm.earned > 0 else None
        rows.append(
            [
                f"{pm.close.month:%Y-%m}",
                pm.plan.code,
                pm.currency,
                pm.earned,
                pm.claims_paid,
                pm.claims_reserved,
                pm.ibnr,
                pm.incurred,
                ratio,
            ]
        )
    return Report(
        _("Loss run"),
        [
            _("Month"),
            _("Plan"),
            _("Currency"),
            _("Earned premium"),
            _("Claims paid"),
            _("Claims reserved"),
            _("IBNR"),
            _("Incurred"),
            _("Loss ratio"),
        ],
        rows,
    )


def remittance(provider_id: int, close: MonthClose) -> Report:
    """What is due to the obligor for the month: the net premium written, less its part
    of the refunds and chargebacks, less the claims paid on its behalf."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for pm in _plan_months(provider_id, [close]):
        t = totals[pm.currency]
        t["written"] += pm.written_net
        t["refunds"] += pm.refunds_net
        t["chargebacks"] += pm.chargebacks_net
        t["claims"] += pm.claims_paid
        t["due"] += pm.remittance
    rows = []
    for currency, t in sorted(totals.items()):
        rows += [
            [currency, _("Net premium written"), t["written"]],
            [currency, _("Less: net premium refunded"), -t["refunds"]],
            [currency, _("Less: chargebacks"), -t["chargebacks"]],
            [currency, _("Less: claims paid on your behalf"), -t["claims"]],
            [currency, _("Net due to you"), t["due"]],
        ]
    return Report(_("Remittance statement"), [_("Currency"), _("Item"), _("Amount")], rows)


def quarter_of(month: date) -> list[date]:
    first = (month.month - 1) // 3 * 3 + 1
    return [date(month.year, first + n, 1) for n in range(3)]


def texas_quarterly(provider_id: int, close: MonthClose) -> Report:
    """The quarterly account report a managing general agent sends each insurer (Tex.
    Ins. Code 4053.103), for the quarter ending with this month, from its three closed
    months: premium written, earned and unearned, losses paid and outstanding, losses
    incurred but not reported, and management fees (commissions shown apart)."""
    months = quarter_of(close.month)
    closes = list(MonthClose.objects.filter(month__in=months))
    last = max(closes, key=lambda c: c.month)
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for pm in _plan_months(provider_id, closes):
        t = totals[pm.currency]
        t["written_gross"] += pm.written_gross
        t["written_net"] += pm.written_net - pm.refunds_net - pm.chargebacks_net
        t["earned"] += pm.earned
        t["paid"] += pm.claims_paid
        t["fees"] += pm.administrator_fees
        t["commissions"] += pm.commissions
        if pm.close_id == last.pk:
            t["unearned"] += pm.unearned
            t["outstanding"] += pm.claims_reserved
            t["ibnr"] += pm.ibnr
    label = f"{months[0]:%Y}-Q{(months[0].month - 1) // 3 + 1}"
    rows = [
        [
            label,
            currency,
            t["written_gross"],
            t["written_net"],
            t["earned"],
            t["unearned"],
            t["paid"],
            t["outstanding"],
            t["ibnr"],
            t["fees"],
            t["commissions"],
        ]
        for currency, t in sorted(totals.items())
    ]
    return Report(
        _("Quarterly account report (Tex. Ins. Code 4053.103)"),
        [
            _("Quarter"),
            _("Currency"),
            _("Premium written (gross)"),
            _("Premium written (net)"),
            _("Premium earned"),
            _("Premium unearned"),
            _("Losses paid"),
            _("Losses outstanding"),
            _("Losses incurred but not reported"),
            _("Management fees"),
            _("Commissions"),
        ],
        rows,
    )


REPORTS = {
    "premium-bordereau": premium_bordereau,
    "claims-bordereau": claims_bordereau,
    "reserve": reserve,
    "loss-run": loss_run,
    "remittance": remittance,
    "texas-quarterly": texas_quarterly,
}


def write_csv(report: Report, out=None) -> bytes | None:
    """The report as CSV: bytes, or written to the text stream ``out`` row by row (the
    rows are read from the database in chunks, so a large month needs no more memory)."""
    target = out if out is not None else io.StringIO()
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in report.columns])
    for row in report.rows:
        writer.writerow([_cell(v) for v in row])
    return None if out is not None else target.getvalue().encode("utf-8")


def write_xlsx(report: Report) -> bytes:
    """A streaming (write-only) workbook: constant memory whatever the rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(report.title)[:31].replace("/", " "))
    sheet.append([safe_cell(c) for c in report.columns])
    for row in report.rows:
        sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value):
    if isinstance(value, date):
        return value.isoformat()
    return safe_cell(value)
