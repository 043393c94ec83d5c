"""From a contract to a document: its data, its HTML, its PDF, and the PDF's text.

The data is display-ready (money and dates formatted for the document's language), so the
compliance checker can look for exactly what the shopper reads. Templates live under
``legal_templates/templates/documents/<kind>/<version>.html`` and autoescape everything.

The PDF renderer is hardened: no JavaScript, no local files, and every network fetch is
sent to a proxy that does not exist (nothing in a document may load from anywhere; its
styles are inline and it has no images).
"""

import atexit
import os
import re
import shutil
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from html.parser import HTMLParser

from babel.dates import format_date
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext as _

from backend.common.jurisdictions import place_name
from backend.common.money import babel_locale, format_minor
from backend.common.packs import Pack, pack_for
from backend.contracts.refunds import RefundRules, quote_line_label
from backend.documents.wkhtmltopdf import Renderers, WkhtmltopdfError
from backend.plans.snapshots import plan_parties
from backend.plans.texts import (
    TEXT_FIELDS,
    plan_texts,
    snapshot_texts,
    text_in,
)

PDF_OPTIONS = {
    "encoding": "UTF-8",
    "disable-javascript": "",
    "disable-local-file-access": "",
    "disable-plugins": "",
    "no-images": "",
    "javascript-delay": "0",  # there is no JavaScript; the default waits 200 ms anyway
    "proxy": "http://127.0.0.1:9",  # the discard port: any fetch fails at once
    "load-error-handling": "ignore",
    "load-media-error-handling": "ignore",
    "margin-top": "16mm",
    "margin-bottom": "16mm",
    "margin-left": "16mm",
    "margin-right": "16mm",
}


class PdfRenderError(RuntimeError):
    pass


def _date(value, language: str) -> str:
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


def document_data(contract, kind: str, language: str) -> dict:
    """Everything a contract document shows, formatted for ``language``."""
    pack = pack_for(contract.jurisdiction)
    plan, product = contract.plan_snapshot, contract.product_snapshot
    customer = contract.customer

    def money(amount):
        return format_minor(amount, contract.currency, language) if amount is not None else ""

    with translation.override(language):
        data = {
            "pack": {"code": pack.code, "name": place_name(contract.jurisdiction, language)},
            "contract": {
                "number": contract.number,
                "jurisdiction": contract.jurisdiction,
                # Where it was sold, by its own name: an Ohio contract under the model act's
                # rules says Ohio, not the rules' "United States".
                "territory": place_name(contract.jurisdiction, language),
                "issued_on": _date(timezone.localdate(contract.purchased_at), language),
                "price_display": money(contract.price),
                "term_months": str(plan["term_months"]),
                "coverage_start": _date(contract.coverage_start, language),
                "coverage_end": _date(contract.coverage_end, language),
                "waiting_period_ends": _date(contract.waiting_period_ends, language),
                "claims_from": _date(contract.claims_from, language),
                "limit_display": money(contract.limit_of_liability),
            },
            "holder": {
                "name": " ".join(p for p in (customer.first_name, customer.last_name) if p)
                or customer.email,
                "email": customer.email,
            },
            "seller": {"name": contract.merchant.name},
            "product": {
                "title": product.get("title") or product.get("sku", ""),
                "sku": product.get("sku", ""),
                "price_display": money(product.get("price")),
            },
            "plan": {
                **_catalogue_text(snapshot_texts(plan), language),
                "code": plan["code"],
                "deductible_display": money(plan.get("deductible", 0)),
                "waiting_period_days": str(plan.get("waiting_period_days", 0)),
                "transfer_terms": transfer_terms(plan.get("transferable", True)),
            },
            "provider": party_data(plan.get("provider"), pack),
            "administrator": party_data(plan.get("administrator"), pack),
            "claim_steps": claim_steps(),
            "cancellation": cancellation_terms(pack, contract.currency, language),
        }
        refund = getattr(contract, "refund", None) if kind == "refund_notice" else None
        if refund is not None:
            quote = refund.quote
            data["refund"] = {
                "lines": [
                    {
                        **_line_label(line, refund.currency, language),
                        "amount_display": money(line["amount"]),
                    }
                    for line in quote.get("lines", [])
                ],
                "total_display": money(refund.amount),
                "due_on": _date(timezone.localdate(refund.due_at), language),
            }
    return data


def _line_label(line: dict, currency: str, language: str) -> dict:
    """A refund quote line's label in ``language``, and the language it is in: a quote
    stored before lines kept their numbers has only its English label."""
    if "params" not in line:
        return {"label": line["label"], "language": "en"}
    return {
        "label": quote_line_label(line["key"], line["params"], currency, language),
        "language": language,
    }


def _catalogue_text(texts: dict, language: str) -> dict:
    """The plan's name, summary, coverage and exclusions for a document in ``language``,
    and the language they are in (``text_language``), which the template marks on them:
    the checker refuses a section in another language."""
    shown, text = text_in(texts, language)
    return {**{f: text.get(f, "") for f in TEXT_FIELDS}, "text_language": shown}


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _duration(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return ngettext("%(n)d year", "%(n)d years", years) % {"n": years}
    return ngettext("%(n)d month", "%(n)d months", months) % {"n": months}


def warranty_data(terms: dict, pack: Pack, language: str, item_prices: dict[str, int]) -> dict:
    """Everything a written warranty shows (16 CFR 701.3), formatted for ``language``, from
    a snapshot of its terms (``catalog.warranties.warranty_terms``). ``item_prices`` holds
    the dearest covered product per currency, for the price gates."""
    from backend.catalog import warranties

    with translation.override(language):
        full = terms["designation"] == "full" and not warranties.full_standard_gaps(terms)
        limit = terms["implied_warranty_limit_months"]
        tie_in = warranties.tie_in(terms)
        written_in, words = text_in(warranties.warranty_texts(terms), language)
        return {
            "pack": {"code": pack.code, "name": pack.display_name(language)},
            "item_prices": item_prices,
            "seller": {"name": terms["merchant"]},
            "warrantor": {
                "name": terms["warrantor_name"],
                "mailing_address": terms["warrantor_address"],
                "contact": terms["warrantor_contact"],
            },
            "warranty": {
                # The warranty's own words below are in this language (the template marks
                # them): the document's, where a translation restates them all.
                "text_language": written_in,
                "code": terms["code"],
                "designation": terms["designation"],
                "designation_title": warranties.designation_title(terms),
                "products": ", ".join(terms["categories"])
                or _("every product %(seller)s sells") % {"seller": terms["merchant"]},
                "duration": _duration(terms["duration_months"]),
                "coverage_starts": words["coverage_starts"] or _("the day you buy the product"),
                "first_buyer_only": _yes(terms["first_buyer_only"]),
                "who_is_covered": _(
                    "This warranty covers only the person who first buys the product from "
                    "%(seller)s. It ends if the product is sold or given to someone else."
                )
                % {"seller": terms["merchant"]}
                if terms["first_buyer_only"]
                else _("This warranty covers anyone who owns the product during its term."),
                "covered": words["covered"],
                "excluded": words["excluded"],
                "will_do": words["will_do"],
                "will_not_do": words["will_not_do"],
                "remedy": _("We give the remedy within %(days)d days of your claim%(free)s.")
                % {
                    "days": terms["remedy_days"],
                    "free": _(", free of charge") if terms["remedy_free_of_charge"] else "",
                },
                # The promises that make a warranty Full (15 U.S.C. 2304), shown only when
                # they all hold: a Full designation without them fails its check.
                "full_standards": [
                    _(
                        "If we cannot fix the defect after a reasonable number of attempts, "
                        "you may choose a refund or a replacement, free of charge."
                    ),
                    _("To get the remedy you only need to tell us of the defect."),
                ]
                if full
                else [],
                "buyer_duties": words["buyer_duties"],
                "tie_in": tie_in,
                "required_brand_statement": _(
                    "Repairs under this warranty must use %(brand)s parts or service, which "
                    "we give you free of charge."
                )
                % {"brand": terms["required_brand"]}
                if tie_in == "free"
                else "",
                "claim_steps": [
                    line.strip() for line in words["claim_steps"].splitlines() if line.strip()
                ],
                "limits_implied": _yes(limit is not None),
                "implied_limit": ngettext(
                    "Implied warranties, including those of merchantability and fitness for "
                    "a particular purpose, are limited to %(n)d month from the date of "
                    "purchase.",
                    "Implied warranties, including those of merchantability and fitness for "
                    "a particular purpose, are limited to %(n)d months from the date of "
                    "purchase.",
                    limit,
                )
                % {"n": limit}
                if limit is not None
                else "",
                "excludes_consequential": _yes(terms["excludes_consequential_damages"]),
                "consequential": _(
                    "We are not liable for incidental or consequential damages, such as loss "
                    "of use or the cost of a replacement while yours is repaired."
                )
                if terms["excludes_consequential_damages"]
                else "",
                "has_dispute": _yes(bool(terms["dispute_name"].strip())),
                "dispute_name": terms["dispute_name"],
                "dispute_contact": terms["dispute_contact"],
                "dispute_first": _(
                    "You must use this mechanism before going to court under the "
                    "Magnuson-Moss Warranty Act."
                )
                if terms["dispute_required_first"]
                else _("You do not have to use it before going to court."),
            },
        }


def specimen_data(plan, pack: Pack, language: str, jurisdiction: str = "") -> dict:
    """The data of a specimen contract: the plan's real terms, with placeholders for what
    only a sale fixes (the buyer, the product, the price band, the dates)."""
    parties = plan_parties(plan)
    bands = list(plan.prices.all())
    with translation.override(language):
        buying_day = _("the day you buy the plan")
        starts = (
            buying_day
            if plan.coverage_starts == "immediate"
            else _("the day the manufacturer's warranty ends")
        )
        see_table = _("as shown at checkout, by the product's price (see the table below)")
        place = place_name(jurisdiction, language) if jurisdiction else ""
        return {
            "specimen": True,
            "pack": {"code": pack.code, "name": place or pack.display_name(language)},
            "contract": {
                "number": _("SPECIMEN"),
                "jurisdiction": jurisdiction,
                "territory": place or pack.display_name(language),
                "issued_on": buying_day,
                "price_display": see_table,
                "term_months": str(plan.term_months),
                "coverage_start": starts,
                "coverage_end": _("%(months)d months later") % {"months": plan.term_months},
                "waiting_period_ends": _("%(days)d days after you buy")
                % {"days": plan.waiting_period_days}
                if plan.waiting_period_days
                else buying_day,
                # Claims run from the later of coverage start and the waiting period's end.
                "claims_from": starts
                if plan.coverage_starts != "immediate"
                else (
                    _("%(days)d days after you buy") % {"days": plan.waiting_period_days}
                    if plan.waiting_period_days
                    else buying_day
                ),
                "limit_display": see_table,
            },
            "holder": {"name": _("You, the buyer of the plan"), "email": ""},
            "seller": {"name": _("The store you buy the product from")},
            "product": {
                "title": _("The product you buy this plan for"),
                "sku": "",
                "price_display": "",
            },
            "plan": {
                **_catalogue_text(plan_texts(plan), language),
                "code": plan.code,
                "deductible_display": see_table,
                "waiting_period_days": str(plan.waiting_period_days),
                "transfer_terms": transfer_terms(plan.transferable),
            },
            "bands": [
                {
                    "product_price_from": format_minor(b.product_price_min, b.currency, language),
                    "product_price_to": format_minor(b.product_price_max, b.currency, language),
                    "price": format_minor(b.price, b.currency, language),
                    "deductible": format_minor(b.deductible, b.currency, language),
                    "limit": format_minor(b.limit_of_liability, b.currency, language)
                    if b.limit_of_liability is not None
                    else _("the product's purchase price"),
                    "fee": format_minor(b.cancellation_fee, b.currency, language),
                }
                for b in bands
            ],
            "provider": party_data(parties["provider"], pack),
            "administrator": party_data(parties["administrator"], pack),
            "claim_steps": claim_steps(),
            "cancellation": cancellation_terms(
                pack, bands[0].currency if bands else "USD", language
            ),
        }


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


_renderers = Renderers()
atexit.register(_renderers.close)


def html_to_pdf(html: str, page_size: str = "A4") -> bytes:
    """The PDF of ``html``, from a wkhtmltopdf process that this process keeps running
    (see ``documents.wkhtmltopdf``: a worker pays wkhtmltopdf's start-up once, not per
    document)."""
    binary = settings.WKHTMLTOPDF_BINARY or shutil.which("wkhtmltopdf")
    if not binary:
        raise PdfRenderError("wkhtmltopdf is not installed")
    runtime = settings.VAR_DIR / "runtime"
    os.makedirs(runtime, mode=0o700, exist_ok=True)
    try:
        return _renderers.render(
            binary,
            {**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
            html,
            {**PDF_OPTIONS, "page-size": page_size},
        )
    except (OSError, WkhtmltopdfError) as exc:
        raise PdfRenderError(f"wkhtmltopdf failed: {exc}") from exc


_pdf_threads: ThreadPoolExecutor | None = None


def html_to_pdf_in_background(html: str, page_size: str = "A4") -> Future:
    """``html_to_pdf`` on a thread of this process, so the caller can work meanwhile (the
    thread mostly waits for the wkhtmltopdf process, without the GIL). Created on first use,
    after a worker forks."""
    global _pdf_threads
    if _pdf_threads is None:
        _pdf_threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wkhtmltopdf")
    return _pdf_threads.submit(html_to_pdf, html, page_size)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.marked: list[tuple[str, str]] = []  # (section, language) of lang="" elements
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self._skip += 1
        attributes = dict(attrs)
        if tag != "html" and attributes.get("lang"):
            self.marked.append((attributes.get("data-section") or tag, attributes["lang"]))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.chunks.append(data)


def html_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return " ".join(parser.chunks)


def marked_languages(html: str) -> list[tuple[str, str]]:
    """The (section, language) of every element of the document that says it is in a
    language of its own (``lang``): catalogue text without a translation is marked so."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.marked


def warm_up() -> None:
    """Load what the first document would otherwise wait for: MuPDF (0.8 s to import, and
    130 MB, so only workers that issue documents load it). A prefork worker calls this
    before it forks, and its processes share it."""
    import pymupdf  # noqa: F401


def pdf_text(pdf: bytes) -> str:
    """The text a reader gets out of the PDF, read in-process by PyMuPDF (MuPDF): about
    3 to 5 ms of CPU a document, where pypdf took 170 ms and poppler's pdftotext 19 ms."""
    import pymupdf  # on first use (see warm_up): web processes never load it

    try:
        with pymupdf.open(stream=pdf, filetype="pdf") as document:
            return " ".join(page.get_text() for page in document)
    except (RuntimeError, ValueError) as exc:  # MuPDF's errors for a damaged file
        raise PdfRenderError(f"the PDF cannot be read: {exc}") from exc


_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Text for comparison: NFKC (a PDF may hold a ligature such as ﬁ for "fi"), and no
    whitespace at all (lines wrap differently in HTML and PDF, and Chinese has no spaces to
    wrap at)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def foreign_characters(html_text: str, pdf_text: str) -> list[str]:
    """Characters a reader copies out of the PDF that the document itself does not hold.

    A PDF records glyphs, and its text layer maps each glyph back to one character. A font
    that draws several characters with one glyph reads back as the wrong one: Noto Sans CJK
    draws 门 and the radical ⻔ alike, and wkhtmltopdf writes the lowest code point, so the
    Chinese text came back as look-alike radicals. A character that only NFKC-folds to the
    document's text (the ﬁ ligature) is not foreign."""
    held = set(html_text)
    return sorted(
        c
        for c in set(pdf_text) - held
        if not c.isspace() and not set(unicodedata.normalize("NFKC", c)) <= held
    )


def language_name(code: str, in_language: str) -> str:
    """The name of language ``code``, written in ``in_language``."""
    with translation.override(in_language):
        return str(get_language_info(code)["name_translated"])
