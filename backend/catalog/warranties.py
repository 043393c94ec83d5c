"""Merchants' written warranties under the Magnuson-Moss Warranty Act (COMPLIANCE.md §1-2).

A warranty may be designated *Full* only if it meets every federal minimum standard of
15 U.S.C. 2304; anything less is *Limited*. No warranty may tie its coverage to a brand of
parts or service the buyer must pay for (2302(c)). ``warranty_problems`` says what stops a
warranty from being published, in words the merchant can act on; the admin shows it.

Each change to the terms bumps the warranty's revision and issues that revision's
documents (``documents.written_warranty``), which never change afterwards.
"""

import hashlib
import json

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backend.catalog.models import (
    WARRANTY_TEXT_FIELDS,
    Product,
    WarrantyDesignation,
    WrittenWarranty,
)
from backend.common.languages import source_language
from backend.events.services import publish

# The fields that make up a warranty's terms: a change to any of them is a new revision.
TERM_FIELDS = (
    "designation",
    "duration_months",
    "coverage_starts",
    "first_buyer_only",
    "covered",
    "excluded",
    "will_do",
    "will_not_do",
    "remedy_days",
    "remedy_free_of_charge",
    "refund_or_replace_after_attempts",
    "implied_warranty_limit_months",
    "excludes_consequential_damages",
    "buyer_duties",
    "required_brand",
    "required_brand_free",
    "claim_steps",
    "warrantor_name",
    "warrantor_address",
    "warrantor_contact",
    "dispute_name",
    "dispute_contact",
    "dispute_required_first",
)


def full_standard_gaps(terms: dict) -> list[str]:
    """Why these terms fall short of a Full warranty (15 U.S.C. 2304), if they do."""
    gaps = []
    if not terms["remedy_free_of_charge"]:
        gaps.append(_("the remedy must be free of charge (2304(a)(1))"))
    if terms["implied_warranty_limit_months"] is not None:
        gaps.append(_("it may not limit how long implied warranties last (2304(a)(2))"))
    if not terms["refund_or_replace_after_attempts"]:
        gaps.append(
            _(
                "after a reasonable number of failed repairs the buyer must be able to choose "
                "a refund or a replacement (2304(a)(4))"
            )
        )
    if terms["first_buyer_only"]:
        gaps.append(_("it must cover every owner during its term, not the first buyer only"))
    if terms["buyer_duties"].strip():
        gaps.append(
            _(
                "it may ask nothing of the buyer but notice of the defect, such as returning "
                "a registration card (2304(b)(1); 16 CFR 700.7)"
            )
        )
    return gaps


def tie_in(terms: dict) -> str:
    """``none``, ``free`` (a required brand given free: allowed) or ``paid`` (2302(c))."""
    if not terms["required_brand"].strip():
        return "none"
    return "free" if terms["required_brand_free"] else "paid"


def warranty_problems(terms: dict) -> list[str]:
    """What stops these terms from being published, if anything."""
    problems = []
    if terms["designation"] == WarrantyDesignation.FULL:
        gaps = full_standard_gaps(terms)
        if gaps:
            problems.append(
                _("It cannot be designated Full: %(gaps)s. Designate it Limited instead.")
                % {"gaps": "; ".join(gaps)}
            )
    if tie_in(terms) == "paid":
        problems.append(
            _(
                "It may not require a brand of parts or service unless that brand is given "
                "free of charge (15 U.S.C. 2302(c))."
            )
        )
    if terms["dispute_required_first"] and not (
        terms["dispute_name"].strip() and terms["dispute_contact"].strip()
    ):
        problems.append(
            _("A dispute mechanism the buyer must use first needs its name and how to reach it.")
        )
    return problems


def warranty_terms(warranty: WrittenWarranty) -> dict:
    """A snapshot of the warranty's terms and what it covers: what its documents show."""
    terms = {name: getattr(warranty, name) for name in TERM_FIELDS}
    terms["merchant"] = warranty.merchant.name
    terms["code"] = warranty.code
    terms["categories"] = sorted(c.name for c in warranty.categories.all()) if warranty.pk else []
    texts = _translated_texts(warranty) if warranty.pk else {}
    if texts:  # absent when there are none: the hash of untranslated terms is unchanged
        terms["texts"] = texts
    return terms


def _translated_texts(warranty: WrittenWarranty) -> dict[str, dict[str, str]]:
    """The translations that restate every word the warranty has: {language: {field: text}}.
    One the warranty has since outgrown (a new field filled in) is left out."""
    texts = {}
    for translation in warranty.translations.all():
        text = {name: getattr(translation, name) for name in WARRANTY_TEXT_FIELDS}
        if all(text[n].strip() for n in WARRANTY_TEXT_FIELDS if getattr(warranty, n).strip()):
            texts[translation.language] = text
    return texts


def warranty_texts(terms: dict) -> dict[str, dict[str, str]]:
    """Every language's words of a snapshot of the terms, the source language's included."""
    return {
        source_language(): {name: terms[name] for name in WARRANTY_TEXT_FIELDS},
        **terms.get("texts", {}),
    }


def warranty_languages(terms: dict) -> tuple[str, ...]:
    """The languages a snapshot of the terms has the warranty's own words in (what it
    covers, what the warrantor does, the claim steps): the source language and each
    complete translation. Its documents and page are issued in these only, so a Chinese
    warranty never shows the merchant's English words under Chinese headings."""
    return tuple(warranty_texts(terms))


def terms_sha256(terms: dict) -> str:
    return hashlib.sha256(json.dumps(terms, sort_keys=True).encode()).hexdigest()


def designation_title(terms: dict) -> str:
    """The title the law requires as the document's caption (15 U.S.C. 2303(a))."""
    if terms["designation"] != WarrantyDesignation.FULL:
        return _("Limited Warranty")
    months = terms["duration_months"]
    if months % 12 == 0:
        return ngettext("Full %(n)d-Year Warranty", "Full %(n)d-Year Warranty", months // 12) % {
            "n": months // 12
        }
    return ngettext("Full %(n)d-Month Warranty", "Full %(n)d-Month Warranty", months) % {
        "n": months
    }


def covered_products(warranty: WrittenWarranty):
    products = Product.objects.filter(merchant_id=warranty.merchant_id, is_active=True)
    category_ids = list(warranty.categories.values_list("pk", flat=True))
    if category_ids:
        products = products.filter(category_id__in=category_ids)
    return products


def highest_prices(warranty: WrittenWarranty) -> dict[str, int]:
    """The dearest covered product per currency: the price gates of COMPLIANCE.md §1 are
    per item, so the dearest item decides what the document must say."""
    rows = covered_products(warranty).values("currency").annotate(top=Max("price"))
    return {row["currency"]: row["top"] for row in rows}


def warranty_for_product(product: Product) -> WrittenWarranty | None:
    """The merchant's active warranty on this product: one naming its category, else one
    covering all the merchant's products."""
    active = WrittenWarranty.objects.filter(merchant_id=product.merchant_id, is_active=True)
    return (
        active.filter(categories=product.category_id).order_by("code").first()
        or active.filter(categories=None).order_by("code").first()
    )


def warranty_publish(warranty: WrittenWarranty) -> bool:
    """After the warranty and its categories are saved: if its terms changed, start a new
    revision. An active warranty publishes ``warranty.revised`` with its current revision,
    changed or not (so one switched on gets its documents; the documents app subscribes and
    issues it, idempotently). True if the terms changed."""
    digest = terms_sha256(warranty_terms(warranty))
    with transaction.atomic():
        locked = WrittenWarranty.objects.select_for_update().get(pk=warranty.pk)
        changed = locked.terms_sha256 != digest
        if changed:
            locked.revision += 1
            locked.terms_sha256 = digest
            locked.save(update_fields=["revision", "terms_sha256", "updated_at"])
        warranty.revision, warranty.terms_sha256 = locked.revision, digest
        if locked.is_active:
            publish(
                "warranty.revised",
                aggregate="warranty",
                aggregate_id=locked.pk,
                payload={"revision": locked.revision, "new_revision": changed},
            )
    return changed
