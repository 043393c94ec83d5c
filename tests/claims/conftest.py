"""Claims fixtures: active contracts sold through the real services (no card: the tests
here are about claims), shoppers signed in to the portal, and desk users."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from backend.accounts.choices import Role
from backend.common.actors import Actor, ActorKind


@pytest.fixture
def contract(sell):
    return sell()


def shopper_client(contract) -> APIClient:
    from backend.accounts.models import User

    customer = contract.customer
    user = customer.user
    if user is None:
        user = User.objects.create_user(
            username=f"shopper-{customer.pk}", email=customer.email, locale=customer.locale
        )
        user.groups.add(Group.objects.get_or_create(name=Role.SHOPPER)[0])
        customer.user = user
        customer.save(update_fields=["user"])
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def shopper(contract) -> APIClient:
    return shopper_client(contract)


@pytest.fixture
def desk(make_user):
    """``desk(Role.DESK_AGENT)``: a signed-in desk client and its user."""

    def make(role=Role.DESK_AGENT):
        user = make_user(role)
        client = APIClient()
        client.force_login(user)
        client.user = user
        return client

    return make


@pytest.fixture
def agent(desk):
    return desk(Role.DESK_AGENT)


@pytest.fixture
def supervisor(desk):
    return desk(Role.DESK_SUPERVISOR)


def actor_for(client) -> Actor:
    return Actor.person(ActorKind.STAFF, client.user)


def jpeg(size=(64, 48), color=(200, 30, 30), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    if exif is not None:
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, "PNG")
    return out.getvalue()


def file_claim(client, contract, **overrides):
    body = {
        "contract": contract.number,
        "reason": "mechanical_failure",
        "failure_date": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "description": "The screen stays black after the last update.",
        **overrides,
    }
    return client.post("/api/v1/portal/claims/", body, format="multipart")
