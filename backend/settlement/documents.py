"""A statement as a document: its figures and lines in the merchant's language and
currency, as CSV (cells neutralised for spreadsheets) and as PDF (wkhtmltopdf). Built
from the closed statement alone, so every download of it is the same."""

import csv
import io

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from backend.common.money import format_minor
from backend.common.spreadsheets import safe_cell
from backend.legal.pdf import html_to_pdf
from backend.settlement.choices import LineCategory
from backend.settlement.models import Statement

SUMMARY = (
    "opening_balance",
    "sales",
    "refunds",
    "commission",
    "clawbacks",
    "adjustments",
    "payouts",
    "closing_balance",
)


def summary_labels() -> dict[str, str]:
    """The statement's figures, named in the active language."""
    return {
        "opening_balance": _("Opening balance"),
        "sales": _("Sales (plans sold, gross)"),
        "refunds": _("Refunds to shoppers (gross)"),
        "commission": _("Commission earned"),
        "clawbacks": _("Commission clawed back"),
        "adjustments": _("Adjustments"),
        "payouts": _("Payouts"),
        "closing_balance": _("Net payable (closing balance)"),
    }


def _lines(statement: Statement):
    return statement.lines.order_by("occurred_at", "id").values_list(
        "occurred_at", "category", "description", "amount"
    )


def statement_csv(statement: Statement) -> bytes:
    """The statement's lines, then its figures, in its language; amounts in minor units
    with the currency in each row, so a spreadsheet sums them exactly."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    with translation.override(statement.language):
        categories = dict(LineCategory.choices)
        writer.writerow(
            [
                _("Date"),
                _("Kind"),
                _("Contract or reference"),
                _("Amount (minor units)"),
                _("Currency"),
            ]
        )
        for occurred_at, category, description, amount in _lines(statement).iterator():
            writer.writerow(
                [
                    occurred_at.date().isoformat(),
                    safe_cell(str(categories.get(category, category))),
                    safe_cell(description),
                    amount,
                    statement.currency,
                ]
            )
        writer.writerow([])
        labels = summary_labels()
        for name in SUMMARY:
            writer.writerow(
                ["", safe_cell(labels[name]), "", getattr(statement, name), statement.currency]
            )
    return out.getvalue().encode("utf-8")


def statement_html(statement: Statement) -> str:
    language = statement.language
    with translation.override(language):
        categories = dict(LineCategory.choices)
        labels = summary_labels()
        return render_to_string(
            "settlement/statement.html",
            {
                "statement": statement,
                "merchant": statement.merchant,
                "language": language,
                "summary": [
                    (
                        labels[name],
                        format_minor(getattr(statement, name), statement.currency, language),
                    )
                    for name in SUMMARY
                ],
                "lines": [
                    {
                        "date": occurred_at.date(),
                        "kind": categories.get(category, category),
                        "reference": description,
                        "amount": format_minor(amount, statement.currency, language),
                    }
                    for occurred_at, category, description, amount in _lines(statement)
                ],
            },
        )


def statement_pdf(statement: Statement) -> bytes:
    return html_to_pdf(statement_html(statement))
