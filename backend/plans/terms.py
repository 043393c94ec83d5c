"""The pre-sale terms of a plan, as shown to shoppers, and the hash that proves which.

The terms page, the offers (``terms_sha256``) and checkout all go through ``render_terms``,
so the hash a shopper accepts is the hash of exactly the page they could read.
"""

import hashlib
from functools import lru_cache

from backend.common import jurisdictions, packs
from backend.common.languages import text_language
from backend.legal import compliance, rendering
from backend.plans.catalog_cache import catalog_snapshot
from backend.plans.models import Plan
from backend.plans.specimen import specimen_data
from backend.plans.texts import plan_texts


def render_terms(plan: Plan, jurisdiction: str, language: str) -> str:
    """The plan's contract as a specimen for ``jurisdiction``: the same template, version
    and required statements its contracts are issued with, before any sale."""
    pack_code = packs.pack_code_for(jurisdiction) if jurisdiction else None
    pack = packs.load_packs()[pack_code or "US"]
    sold_here = (
        pack_code is not None
        and jurisdictions.market_matches(frozenset(plan.markets), jurisdiction)
        and not jurisdictions.market_matches(frozenset(plan.excluded_markets), jurisdiction)
    )
    version = pack.document_versions.get(plan.terms_template, "v1")
    language = text_language(plan_texts(plan), language, pack)
    data = specimen_data(plan, pack, language, jurisdiction)
    clauses = compliance.required_clauses(pack, plan.terms_template, language, data)
    return rendering.render_html(
        pack=pack,
        kind=plan.terms_template,
        version=version,
        language=language,
        data={**data, "sold_here": sold_here},
        clauses=clauses,
    )


def sha256(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()


def terms_sha256(plan_code: str, jurisdiction: str, language: str) -> str:
    """The hash of the terms page for this plan, jurisdiction and language, now."""
    return _terms_sha256(plan_code, jurisdiction, language, catalog_snapshot().version)


@lru_cache(maxsize=4096)
def _terms_sha256(plan_code: str, jurisdiction: str, language: str, _version: str) -> str:
    # Keyed by the catalogue version: any committed catalogue change renders afresh.
    plan = (
        Plan.objects.select_related("provider", "administrator")
        .prefetch_related("eligible_categories", "prices")
        .get(code=plan_code)
    )
    return sha256(render_terms(plan, jurisdiction, language))
