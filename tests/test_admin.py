"""The back office: every registered model's list, search and add pages render."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import (
    MerchantPlanFactory,
    PlanPriceFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [
    m
    for m in admin.site._registry
    if m._meta.app_label
    in {
        "accounts",
        "merchants",
        "catalog",
        "plans",
        "customers",
        "contracts",
        "payments",
        "notifications",
        "claims",
    }
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelist_search_and_add_render(admin_client, model, merchant, phones):
    ProductFactory(merchant=merchant)
    MerchantPlanFactory(merchant=merchant, plan=PlanPriceFactory().plan)
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert admin_client.get(changelist).status_code == 200
    assert admin_client.get(changelist, {"q": "<script>"}).status_code == 200
    add = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    # Records that only services may create (contracts, payments, events) have no add page.
    read_only = not admin.site._registry[model].has_add_permission(add.wsgi_request)
    assert add.status_code == (403 if read_only else 200)


def test_creating_an_api_key_in_the_admin_shows_it_once(admin_client, merchant):
    from backend.merchants.models import MerchantAPIKey

    response = admin_client.post(
        reverse("admin:merchants_merchantapikey_add"),
        {"merchant": merchant.pk, "name": "checkout"},
        follow=True,
    )
    assert response.status_code == 200
    key = MerchantAPIKey.objects.get(merchant=merchant, name="checkout")
    shown = [str(m) for m in response.context["messages"]]
    assert any(key.prefix in m and "never shown again" in m for m in shown)
    assert MerchantAPIKey.objects.is_valid(shown[0].split("<code>")[1].split("</code>")[0])


def test_provider_admin_explains_missing_insurer(admin_client):
    response = admin_client.post(
        reverse("admin:plans_provider_add"),
        {
            "legal_name": "Insured Co",
            "address_line1": "1 St",
            "city": "X",
            "postal_code": "1",
            "country": "US",
            "toll_free_phone": "+1 800 555 0000",
            "backing": "insured",
            "registration_numbers": "{}",
            "is_active": "on",
        },
    )
    assert response.status_code == 200  # the form is shown again with errors
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"insurer_name", "insurer_address", "insurer_phone"}
