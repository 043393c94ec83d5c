"""An in-process snapshot of the plan catalogue, for offers in microseconds.

Each process keeps one immutable snapshot of every offerable plan, its price bands and
which merchants offer it. A version token in the shared cache says which snapshot is
current. Changing the catalogue bumps the token after the transaction commits
(``catalog_invalidate``, wired to the catalogue models in ``signals.py``). The process
that made the change rebuilds on its next request; every other process reads the token
at most every ``CATALOG_VERSION_CHECK_MS`` (one cache round trip saved per request)
and rebuilds, with a constant number of queries, when it has moved.
"""

import logging
import threading
import time
import uuid
from bisect import bisect_right
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from backend.common.jurisdictions import market_matches
from backend.common.packs import pack_code_for
from backend.plans.disclosure import plan_disclosure_gaps
from backend.plans.models import MerchantPlan, Plan
from backend.plans.texts import plan_texts

logger = logging.getLogger(__name__)

VERSION_KEY = "coverdesk:plans:catalog-version"


@dataclass(frozen=True, slots=True)
class PriceBand:
    min: int
    max: int
    price: int
    deductible: int
    limit_of_liability: int | None


@dataclass(frozen=True, slots=True)
class PlanEntry:
    id: int
    code: str
    name: str
    coverage: str
    term_months: int
    service_type: str
    waiting_period_days: int
    buying_window_days: int
    coverage_starts: str
    summary: str
    # language -> (name, summary), the source language's included (plans.texts)
    texts: dict[str, tuple[str, str]]
    provider_name: str
    categories: frozenset[str]
    markets: frozenset[str]
    excluded_markets: frozenset[str]
    # packs under which its documents could not be compliant (plans.disclosure)
    blocked_packs: frozenset[str]
    # currency -> bands sorted by min, and their mins for bisection
    bands: dict[str, tuple[PriceBand, ...]]
    band_mins: dict[str, tuple[int, ...]]

    def sold_in(self, jurisdiction: str) -> bool:
        pack = pack_code_for(jurisdiction)
        return (
            pack is not None
            and pack not in self.blocked_packs
            and market_matches(self.markets, jurisdiction)
            and not market_matches(self.excluded_markets, jurisdiction)
        )

    def band_for(self, currency: str, product_price: int) -> PriceBand | None:
        mins = self.band_mins.get(currency)
        if not mins:
            return None
        index = bisect_right(mins, product_price) - 1
        if index < 0:
            return None
        band = self.bands[currency][index]
        return band if product_price <= band.max else None


@dataclass(frozen=True, slots=True)
class Offering:
    plan: PlanEntry
    display_order: int


@dataclass(frozen=True, slots=True)
class CatalogSnapshot:
    version: str
    plans: dict[int, PlanEntry]
    offerings: dict[int, tuple[Offering, ...]]  # merchant id -> offerings in display order

    def offerings_for(self, merchant_id: int) -> tuple[Offering, ...]:
        return self.offerings.get(merchant_id, ())


_lock = threading.Lock()
_current: CatalogSnapshot | None = None
_checked_at = 0.0  # monotonic time of the last look at the shared version token


def _current_version() -> str | None:
    """The shared version token, or None when the shared cache cannot be reached."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            # First process up, or the cache was flushed: agree on one token (add is atomic).
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception:
        logger.warning(
            "Shared cache unreachable; serving the catalogue snapshot as it is", exc_info=True
        )
        return None
    return version


def catalog_snapshot() -> CatalogSnapshot:
    """The current snapshot, rebuilt if another process (or this one) changed the catalogue."""
    global _current, _checked_at
    snapshot = _current
    now = time.monotonic()
    if snapshot is not None and (now - _checked_at) * 1000 < settings.CATALOG_VERSION_CHECK_MS:
        return snapshot
    version = _current_version()
    _checked_at = now
    if snapshot is not None and version in (snapshot.version, None):
        return snapshot
    if version is None:
        version = f"unshared-{uuid.uuid4().hex}"  # rebuilt again once the cache is back
    with _lock:
        if _current is None or _current.version != version:
            _current = _build(version)
        return _current


def catalog_invalidate() -> None:
    """Mark every process's snapshot stale, once the current transaction commits."""
    transaction.on_commit(_publish_new_version)


def _publish_new_version() -> None:
    global _checked_at, _current
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.error("Could not publish a catalogue change to the shared cache", exc_info=True)
        _current = None  # at least this process rebuilds
    _checked_at = 0.0  # this process sees its own change on the very next request


def _build(version: str) -> CatalogSnapshot:
    plans = (
        Plan.objects.filter(is_active=True, provider__is_active=True)
        .select_related("provider", "administrator")
        .prefetch_related("eligible_categories", "prices", "translations")
    )
    entries: dict[int, PlanEntry] = {}
    for plan in plans:
        if plan.provider.missing_disclosure_fields():
            continue  # Documents could not be compliant: never offered (see Provider.clean).
        bands: dict[str, list[PriceBand]] = {}
        for price in sorted(plan.prices.all(), key=lambda p: (p.currency, p.product_price_min)):
            bands.setdefault(price.currency, []).append(
                PriceBand(
                    price.product_price_min,
                    price.product_price_max,
                    price.price,
                    price.deductible,
                    price.limit_of_liability,
                )
            )
        entries[plan.id] = PlanEntry(
            id=plan.id,
            code=plan.code,
            name=plan.name,
            coverage=plan.coverage,
            term_months=plan.term_months,
            service_type=plan.service_type,
            waiting_period_days=plan.waiting_period_days,
            buying_window_days=plan.buying_window_days,
            coverage_starts=plan.coverage_starts,
            summary=plan.summary,
            texts={lang: (t["name"], t["summary"]) for lang, t in plan_texts(plan).items()},
            provider_name=plan.provider.legal_name,
            categories=frozenset(c.slug for c in plan.eligible_categories.all()),
            markets=frozenset(plan.markets),
            excluded_markets=frozenset(plan.excluded_markets),
            blocked_packs=frozenset(plan_disclosure_gaps(plan)),
            bands={cur: tuple(b) for cur, b in bands.items()},
            band_mins={cur: tuple(x.min for x in b) for cur, b in bands.items()},
        )
    offerings: dict[int, list[Offering]] = {}
    rows = MerchantPlan.objects.filter(is_active=True, merchant__is_active=True).values_list(
        "merchant_id", "plan_id", "display_order"
    )
    for merchant_id, plan_id, display_order in rows:
        if plan_id in entries:
            offerings.setdefault(merchant_id, []).append(Offering(entries[plan_id], display_order))
    return CatalogSnapshot(
        version=version,
        plans=entries,
        offerings={
            m: tuple(sorted(o, key=lambda x: (x.display_order, x.plan.term_months, x.plan.id)))
            for m, o in offerings.items()
        },
    )
