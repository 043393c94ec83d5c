"""A pack's template to HTML, and the wording every document of the pack shares.

The data a template gets is display-ready (money and dates formatted for the document's
language), so the compliance checker can look for exactly what the reader reads. Templates
live under ``legal_templates/templates/documents/<kind>/<version>.html`` and autoescape
everything.
"""

from babel.dates import format_date
from babel.numbers import format_percent
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backend.common.languages import name_in
from backend.common.money import babel_locale, format_minor
from backend.common.packs import Pack
from backend.legal.refunds import RefundRules
from backend.legal.text import language_name


def long_date(value, language: str) -> str:
    return format_date(value, format="long", locale=babel_locale(language)) if value else ""


def party_data(party: dict | None, pack: Pack) -> dict:
    party = party or {}
    numbers = party.get("registration_numbers") or {}
    state = pack.code.rpartition("-")[2]
    return {
        "legal_name": party.get("legal_name", ""),
        "mailing_address": party.get("mailing_address", ""),
        "toll_free_phone": party.get("toll_free_phone", ""),
        "email": party.get("email", ""),
        "registration_number": numbers.get(pack.code) or numbers.get(state) or "",
        "backing": party.get("backing", ""),
        "insurer_name": party.get("insurer_name", ""),
        "insurer_address": party.get("insurer_address", ""),
        "insurer_phone": party.get("insurer_phone", ""),
    }


def cancellation_terms(pack: Pack, currency: str, language: str) -> list[str]:
    """The pack's refund rules in words (COMPLIANCE.md §5): the same RefundRules the quote
    is worked out from, so what the contract promises is what the arithmetic does."""
    rules = RefundRules.from_pack(pack)
    terms = []
    caps = []
    if rules.fee_cap_percent_of_price:
        caps.append(_("%(pct)d%% of the price") % {"pct": rules.fee_cap_percent_of_price})
    if currency in rules.fee_cap_amount:
        caps.append(format_minor(rules.fee_cap_amount[currency], currency, language))
    if rules.fee_cap_percent_of_unearned:
        caps.append(_("%(pct)d%% of the unused part") % {"pct": rules.fee_cap_percent_of_unearned})
    if rules.free_look_days:
        full = (
            _(
                "If you cancel within %(days)d days of purchase and no claim has been paid, "
                "you get a full refund of the price you paid"
            )
            if rules.free_look_requires_no_claims
            else _(
                "If you cancel within %(days)d days of purchase, you get a full refund of the "
                "price you paid"
            )
        ) % {"days": rules.free_look_days}
        less = []
        if rules.free_look_deducts_claims:
            less.append(_("any claims already paid under this contract"))
        if rules.free_look_fee_allowed and rules.fee_allowed:
            less.append(_("the cancellation fee below"))
        terms.append(
            _("%(full)s, less %(less)s.") % {"full": full, "less": _(" and ").join(less)}
            if less
            else _("%(full)s.") % {"full": full}
        )
        if rules.free_look_days_appliances:
            terms.append(
                _("For appliances and home electronics this period is %(days)d days.")
                % {"days": rules.free_look_days_appliances}
            )
    terms.append(
        _(
            "After that, you get back the unused part of the price, in proportion to the days "
            "of coverage left."
        )
    )
    if rules.deduct_claims:
        terms.append(_("Claims already paid under this contract are deducted from the refund."))
    if rules.fee_allowed and caps:
        if len(caps) == 1:
            terms.append(
                _("A cancellation fee may be charged, of no more than %(cap)s.") % {"cap": caps[0]}
            )
        else:
            terms.append(
                _("A cancellation fee may be charged, of no more than %(caps)s, whichever is less.")
                % {"caps": _(" or ").join(caps)}
            )
    elif not rules.fee_allowed:
        terms.append(_("No cancellation fee is charged."))
    terms.append(
        _("We pay the refund within %(days)d days of receiving your cancellation.")
        % {"days": rules.refund_due_days}
    )
    if rules.late_penalty_percent_per_month:
        terms.append(
            _("A refund paid late is increased by %(pct)d%% for each month it is late.")
            % {"pct": rules.late_penalty_percent_per_month}
        )
    return terms


def tax_rows(taxes, currency: str, language: str) -> list[dict]:
    """The taxes a price includes, for a document: each one's name in ``language``, its
    rate and (on a contract, not a specimen) its amount. ``taxes`` are the dicts a
    contract snapshots (``plans.taxes.TaxLine.as_dict``), an amount optional."""
    rows = []
    for tax in taxes:
        rate = tax.get("rate_bp", 0)
        rows.append(
            {
                "name": name_in(tax.get("names") or {}, language, tax["id"]),
                "rate_display": format_percent(
                    rate / 10_000, "#,##0.##%", locale=babel_locale(language)
                )
                if rate
                else "",
                "amount_display": format_minor(tax["amount"], currency, language)
                if "amount" in tax
                else "",
            }
        )
    return rows


def transfer_terms(transferable: bool) -> str:
    if transferable:
        return _("You may transfer this contract to a new owner of the product at no charge.")
    return _("This contract cannot be transferred.")


def claim_steps() -> list[str]:
    return [
        _("Sign in to your plans portal, or call the provider's toll-free number."),
        _("Choose this contract and describe what happened, with the date of the failure."),
        _("Send photos and your receipt if we ask; we tell you our decision and the next step."),
    ]


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def duration(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return ngettext("%(n)d year", "%(n)d years", years) % {"n": years}
    return ngettext("%(n)d month", "%(n)d months", months) % {"n": months}


def render_html(*, pack: Pack, kind: str, version: str, language: str, data: dict, clauses) -> str:
    """The document's HTML. A translation (not the pack's binding language) says which
    language binds, named in the reader's."""
    with translation.override(language):
        return render_to_string(
            f"documents/{kind}/{version}.html",
            {
                **data,
                "clauses": clauses,
                # Mandated wording by clause id (dots as underscores), to print beside the
                # term it qualifies: {{ statements.mmwa_state_rights }}.
                "statements": {c.id.replace(".", "_"): c.text for c in clauses if c.text},
                "binding": language == pack.binding_language,
                "binding_language_name": language_name(pack.binding_language, language),
                "LANGUAGE_CODE": language,
                "cjk_font": settings.DOCUMENT_CJK_FONT,
            },
        )
