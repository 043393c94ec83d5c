"""The cancellation refund calculator. Pure arithmetic over a jurisdiction's rules (data).

Integer minor units throughout. Every amount that changes the result is a quote line, so
the shopper (and a regulator) can follow the arithmetic. A line holds its key and the
numbers it was made from (``params``); its label is written from them in the reader's
language (``quote_line_label``), so a refund notice in Polish says it all in Polish.
"""

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from django.utils import translation
from django.utils.translation import gettext as _

from backend.common.money import format_minor


@dataclass(frozen=True)
class RefundRules:
    pack: str
    free_look_days: int = 0
    free_look_days_appliances: int | None = None
    free_look_requires_no_claims: bool = False
    free_look_deducts_claims: bool = False
    free_look_fee_allowed: bool = False
    deduct_claims: bool = True
    fee_allowed: bool = True
    fee_cap_amount: dict[str, int] = field(default_factory=dict)
    fee_cap_percent_of_price: int | None = None
    fee_cap_percent_of_unearned: int | None = None
    refund_due_days: int = 30
    late_penalty_percent_per_month: int = 0

    @classmethod
    def from_pack(cls, pack) -> "RefundRules":
        known = set(cls.__dataclass_fields__) - {"pack"}
        table = pack.table("refund")
        unknown = set(table) - known
        if unknown:
            raise ValueError(f"pack {pack.code}: unknown refund keys {sorted(unknown)}")
        return cls(pack=pack.code, **table)


@dataclass(frozen=True)
class QuoteLine:
    key: str
    amount: int  # signed minor units: positive adds to the refund, negative deducts
    params: dict = field(default_factory=dict)


def quote_line_label(key: str, params: dict, currency: str, language: str) -> str:
    """What a quote line says, in ``language``."""
    with translation.override(language):
        if key == "full_refund" and params.get("reason") == "returned":
            return _("Full refund: product returned before coverage started")
        if key == "full_refund" and params.get("reason") == "returned_in_window":
            return _(
                "Full refund: product returned within the store's %(days)d-day return window"
            ) % {"days": params["days"]}
        if key == "full_refund":
            return _("Full refund: cancelled within the %(days)d-day free-look period") % {
                "days": params["days"]
            }
        if key == "plan_price":
            return _("Plan price paid")
        if key == "earned":
            return _("Coverage used: %(used)d of %(total)d days") % params
        if key == "claims_paid":
            return _("Claims already paid under this plan")
        if key == "cancellation_fee":
            caps = [_fee_cap(cap, currency, language) for cap in params.get("caps", ())]
            if not caps:
                return _("Cancellation fee")
            return _("Cancellation fee (%(caps)s, %(pack)s)") % {
                "caps": "; ".join(caps),
                "pack": params["pack"],
            }
    raise ValueError(f"unknown quote line {key!r}")


def _fee_cap(cap: dict, currency: str, language: str) -> str:
    if cap["kind"] == "amount":
        return _("at most %(amount)s") % {"amount": format_minor(cap["amount"], currency, language)}
    if cap["kind"] == "percent_of_price":
        return _("at most %(percent)d%% of the price") % {"percent": cap["percent"]}
    return _("at most %(percent)d%% of the unearned premium") % {"percent": cap["percent"]}


@dataclass(frozen=True)
class RefundQuote:
    currency: str
    total: int
    lines: tuple[QuoteLine, ...]
    free_look: bool
    pack: str
    cancel_on: date
    due_on: date
    late_penalty_percent_per_month: int
    days_total: int
    days_unused: int

    def as_dict(self, language: str = "en") -> dict:
        data = asdict(self)
        data["cancel_on"] = self.cancel_on.isoformat()
        data["due_on"] = self.due_on.isoformat()
        data["total_display"] = format_minor(self.total, self.currency, language)
        for line in data["lines"]:
            line["label"] = quote_line_label(line["key"], line["params"], self.currency, language)
            line["amount_display"] = format_minor(line["amount"], self.currency, language)
        return data


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def refund_quote(
    *,
    rules: RefundRules,
    price: int,
    currency: str,
    purchased_on: date,
    coverage_start: date,
    coverage_end: date,
    cancel_on: date,
    claims_paid: int = 0,
    plan_cancellation_fee: int = 0,
    appliance: bool = False,
    product_returned: bool = False,
    return_window_days: int | None = None,
) -> RefundQuote:
    """What a cancellation on ``cancel_on`` refunds, line by line.

    Free look: the full price, less what the rules allow. Otherwise the unearned premium
    pro rata by days of coverage not yet used (coverage that has not started is wholly
    unearned), less claims paid where allowed, less the plan's cancellation fee capped by
    the rules. A product returned to the merchant before coverage starts, or within the
    store's return window (``return_window_days`` given: the store took it back within
    them), refunds in full (more than any pack's minimum). Rounding always favours the
    shopper.
    """
    lines: list[QuoteLine] = []
    days_since_purchase = (cancel_on - purchased_on).days
    window = rules.free_look_days
    if appliance and rules.free_look_days_appliances is not None:
        window = rules.free_look_days_appliances
    free_look = days_since_purchase < window and not (
        rules.free_look_requires_no_claims and claims_paid > 0
    )
    days_total = max((coverage_end - coverage_start).days, 1)
    days_used = min(max((cancel_on - coverage_start).days, 0), days_total)
    days_unused = days_total - days_used
    returned_before_coverage = product_returned and days_used == 0
    # The store took the product back within its return window (the store decides: the
    # window counts to the day it took it back, which may be before today).
    returned_in_window = product_returned and return_window_days is not None

    if free_look or returned_before_coverage or returned_in_window:
        if free_look:
            reason = {"reason": "free_look", "days": window}
        elif returned_before_coverage:
            reason = {"reason": "returned"}
        else:
            reason = {"reason": "returned_in_window", "days": return_window_days}
        lines.append(QuoteLine("full_refund", price, reason))
        unearned = base = price
        deduct_claims = free_look and rules.free_look_deducts_claims
        fee_allowed = free_look and rules.free_look_fee_allowed
    else:
        unearned = _ceil_div(price * days_unused, days_total)
        lines.append(QuoteLine("plan_price", price))
        lines.append(
            QuoteLine("earned", unearned - price, {"used": days_used, "total": days_total})
        )
        base = unearned
        deduct_claims = rules.deduct_claims
        fee_allowed = rules.fee_allowed

    if deduct_claims and claims_paid:
        deduction = min(claims_paid, base)
        lines.append(QuoteLine("claims_paid", -deduction))
        base -= deduction

    if fee_allowed and plan_cancellation_fee and base > 0:
        caps = [plan_cancellation_fee, base]
        notes = []  # the rules' caps, as the line's params
        if currency in rules.fee_cap_amount:
            caps.append(rules.fee_cap_amount[currency])
            notes.append({"kind": "amount", "amount": rules.fee_cap_amount[currency]})
        if rules.fee_cap_percent_of_price is not None:
            caps.append(price * rules.fee_cap_percent_of_price // 100)
            notes.append({"kind": "percent_of_price", "percent": rules.fee_cap_percent_of_price})
        if rules.fee_cap_percent_of_unearned is not None:
            caps.append(unearned * rules.fee_cap_percent_of_unearned // 100)
            notes.append(
                {"kind": "percent_of_unearned", "percent": rules.fee_cap_percent_of_unearned}
            )
        fee = min(caps)
        if fee:
            params = {"caps": notes, "pack": rules.pack} if notes else {}
            lines.append(QuoteLine("cancellation_fee", -fee, params))
            base -= fee

    return RefundQuote(
        currency=currency,
        total=max(base, 0),
        lines=tuple(lines),
        free_look=free_look,
        pack=rules.pack,
        cancel_on=cancel_on,
        due_on=cancel_on + timedelta(days=rules.refund_due_days),
        late_penalty_percent_per_month=rules.late_penalty_percent_per_month,
        days_total=days_total,
        days_unused=days_unused,
    )
