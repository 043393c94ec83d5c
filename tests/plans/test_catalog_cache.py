"""The in-process catalogue snapshot: built once, rebuilt only after committed changes."""

import pytest
from django.core.cache import cache

from backend.plans import catalog_cache
from backend.plans.catalog_cache import VERSION_KEY, catalog_snapshot
from tests.factories import MerchantPlanFactory, PlanPriceFactory

pytestmark = pytest.mark.django_db


def test_snapshot_is_reused_without_queries(merchant, phones, django_assert_num_queries):
    MerchantPlanFactory(merchant=merchant, plan=PlanPriceFactory().plan)
    first = catalog_snapshot()
    with django_assert_num_queries(0):
        assert catalog_snapshot() is first


def test_build_uses_a_constant_number_of_queries(merchant, phones, django_assert_num_queries):
    for _ in range(15):
        MerchantPlanFactory(merchant=merchant, plan=PlanPriceFactory().plan)
    # plans + provider (joined), categories, prices, translations, offerings
    with django_assert_num_queries(5):
        snapshot = catalog_snapshot()
    assert len(snapshot.offerings_for(merchant.id)) == 15


def test_committed_change_invalidates(merchant, phones, django_capture_on_commit_callbacks):
    plan = PlanPriceFactory().plan
    MerchantPlanFactory(merchant=merchant, plan=plan)
    before = catalog_snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        plan.term_months = 48
        plan.save()
    after = catalog_snapshot()
    assert after is not before
    assert after.plans[plan.id].term_months == 48


def test_change_is_not_visible_before_commit(merchant, phones, django_capture_on_commit_callbacks):
    plan = PlanPriceFactory().plan
    MerchantPlanFactory(merchant=merchant, plan=plan)
    before = catalog_snapshot()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        plan.is_active = False
        plan.save()
        assert catalog_snapshot() is before  # the version is only bumped on commit
    assert callbacks


def test_category_and_offering_changes_invalidate(
    merchant, phones, django_capture_on_commit_callbacks
):
    from tests.factories import CategoryFactory

    plan = PlanPriceFactory().plan
    catalog_snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        plan.eligible_categories.add(CategoryFactory(slug="tvs"))
    assert catalog_snapshot().plans[plan.id].categories == {"phones", "tvs"}
    with django_capture_on_commit_callbacks(execute=True):
        MerchantPlanFactory(merchant=merchant, plan=plan)
    assert [o.plan.id for o in catalog_snapshot().offerings_for(merchant.id)] == [plan.id]


def test_another_process_bumping_the_version_forces_a_rebuild(merchant, phones):
    """Processes share only the version token: a new token means rebuild."""
    MerchantPlanFactory(merchant=merchant, plan=PlanPriceFactory().plan)
    before = catalog_snapshot()
    cache.set(VERSION_KEY, "bumped-elsewhere", timeout=None)
    assert catalog_snapshot() is not before
    assert catalog_cache._current.version == "bumped-elsewhere"


def test_a_flushed_cache_rebuilds_once(merchant, phones):
    catalog_snapshot()
    cache.clear()
    rebuilt = catalog_snapshot()
    assert catalog_snapshot() is rebuilt


def test_other_processes_look_at_the_version_at_most_once_per_interval(
    merchant, phones, settings, django_capture_on_commit_callbacks
):
    settings.CATALOG_VERSION_CHECK_MS = 60_000
    plan = PlanPriceFactory().plan
    MerchantPlanFactory(merchant=merchant, plan=plan)
    before = catalog_snapshot()
    cache.set(VERSION_KEY, "bumped-elsewhere", timeout=None)
    assert catalog_snapshot() is before  # inside the interval: no cache round trip
    catalog_cache._checked_at -= 61  # the interval has passed
    assert catalog_snapshot() is not before

    # The process that commits a change sees it at once, whatever the interval.
    with django_capture_on_commit_callbacks(execute=True):
        plan.term_months = 60
        plan.save()
    assert catalog_snapshot().plans[plan.id].term_months == 60


def test_a_cache_outage_keeps_offers_served(merchant, phones, monkeypatch, caplog):
    MerchantPlanFactory(merchant=merchant, plan=PlanPriceFactory().plan)
    before = catalog_snapshot()

    def down(*args, **kwargs):
        raise ConnectionError("cache is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert catalog_snapshot() is before
    assert "Shared cache unreachable" in caplog.text

    catalog_cache._current = None  # a process that starts during the outage still builds
    assert catalog_snapshot().offerings_for(merchant.id)
    catalog_cache._publish_new_version()  # a committed change during the outage
    assert catalog_cache._current is None
