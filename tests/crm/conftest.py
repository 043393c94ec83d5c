"""CRM fixtures: tags and rules, marketing staff, and customers with consent."""

import pytest
from rest_framework.test import APIClient

from backend.accounts.choices import Role
from backend.crm.models import Tag, TagRule


@pytest.fixture
def rule():
    """``rule("plan_bought", "bought-phones", category=["phones"], expires_after_days=...)``"""

    def make(trigger, slug, expires_after_days=None, active=True, **conditions):
        tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ")})
        return TagRule.objects.create(
            name=f"{trigger} -> {slug}",
            trigger=trigger,
            conditions=conditions,
            tag=tag,
            expires_after_days=expires_after_days,
            active=active,
        )

    return make


@pytest.fixture
def marketing(make_user) -> APIClient:
    user = make_user(Role.MARKETING)
    client = APIClient()
    client.force_login(user)
    client.user = user
    return client


def tags_of(customer) -> set[str]:
    return set(customer.tags.values_list("tag__slug", flat=True))
