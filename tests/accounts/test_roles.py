import pytest
from django.contrib.auth.models import Group

from backend.accounts.choices import Role

pytestmark = pytest.mark.django_db


def test_every_role_has_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


def test_merchant_admin_permissions(make_user, merchant):
    user = make_user(Role.MERCHANT_ADMIN, merchant=merchant)
    assert user.is_staff and not user.is_superuser
    assert user.has_perm("catalog.change_product")
    assert user.has_perm("merchants.add_merchantapikey")
    assert not user.has_perm("plans.change_plan")
    assert user.has_role(Role.MERCHANT_ADMIN) and not user.has_role(Role.MARKETING)


def test_platform_admin_can_do_everything(make_user):
    user = make_user(Role.PLATFORM_ADMIN)
    assert user.is_superuser and user.has_perm("plans.change_plan")


def test_shopper_is_not_staff(make_user):
    assert not make_user(Role.SHOPPER).is_staff


def test_merchant_admin_needs_a_merchant(make_user):
    with pytest.raises(ValueError, match="needs a merchant"):
        make_user(Role.MERCHANT_ADMIN)


def test_staff_sign_in_with_a_password(client, make_user):
    make_user(Role.DESK_AGENT, password="a-long-desk-password")
    user = make_user(Role.DESK_AGENT, password="another-long-password")
    response = client.post(
        "/admin/login/",
        {"username": user.username, "password": "another-long-password", "next": "/admin/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
