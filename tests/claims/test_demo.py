"""The demo seeds the desk: partners, queues, canned responses per language, and claims."""

import pytest

from backend.claims.models import CannedResponse, Claim, DeskQueue, RepairPartner

pytestmark = pytest.mark.django_db


def test_the_demo_desk_has_work_and_tools():
    from backend.demo.seeding import seed_catalogue, seed_demo_claims, seed_desk

    seed_catalogue()
    seed_desk()
    assert seed_demo_claims() == 4
    assert seed_demo_claims() == 0  # idempotent
    seed_desk()  # idempotent too
    assert RepairPartner.objects.count() == 3 and DeskQueue.objects.count() == 3
    languages = set(CannedResponse.objects.values_list("language", flat=True))
    assert languages == {"en", "pl", "zh-hans"}
    for canned in CannedResponse.objects.filter(language="en"):
        assert "{{ first_name }}" in canned.body  # addressed by name
    assert set(Claim.objects.values_list("state", flat=True)) == {"submitted"}
