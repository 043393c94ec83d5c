"""The data a written warranty's document shows (16 CFR 701.3), from a snapshot of its
terms: the public warranty page and the issued PDF are both made from it."""

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backend.catalog import warranties
from backend.common.languages import text_in
from backend.common.packs import Pack
from backend.legal.rendering import duration, yes_no


def warranty_data(terms: dict, pack: Pack, language: str, item_prices: dict[str, int]) -> dict:
    """Everything a written warranty shows (16 CFR 701.3), formatted for ``language``, from
    a snapshot of its terms (``catalog.warranties.warranty_terms``). ``item_prices`` holds
    the dearest covered product per currency, for the price gates."""

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
                "duration": duration(terms["duration_months"]),
                "coverage_starts": words["coverage_starts"] or _("the day you buy the product"),
                "first_buyer_only": yes_no(terms["first_buyer_only"]),
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
                "limits_implied": yes_no(limit is not None),
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
                "excludes_consequential": yes_no(terms["excludes_consequential_damages"]),
                "consequential": _(
                    "We are not liable for incidental or consequential damages, such as loss "
                    "of use or the cost of a replacement while yours is repaired."
                )
                if terms["excludes_consequential_damages"]
                else "",
                "has_dispute": yes_no(bool(terms["dispute_name"].strip())),
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
