"""The plain-dict renderings of orders and contracts are exactly DRF's, field by field."""

import json

import pytest
from django.conf import settings
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from backend.checkout.api.serializers import OrderOutputSerializer
from backend.checkout.cancellation import contract_cancel
from backend.common.actors import Actor
from backend.contracts.api.serializers import ContractSerializer
from backend.contracts.models import Contract, Order
from backend.portal.views import PortalContractSerializer

pytestmark = pytest.mark.django_db


def _json(data) -> dict:
    return json.loads(JSONRenderer().render(data))


def _drf(serializer) -> dict:
    """What DRF's own field-by-field serialisation makes of the same instance."""
    return _json(serializers.Serializer.to_representation(serializer, serializer.instance))


@pytest.fixture
def contracts(paid_order, django_capture_on_commit_callbacks):
    _intent, [active, cancelled] = paid_order(quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        contract_cancel(
            contract_id=Contract.objects.get(number=cancelled).pk,
            actor=Actor.system("test"),
            reason="customer_request",
        )
    return [Contract.objects.get(number=n) for n in (active, cancelled)]


@pytest.mark.parametrize("serializer_class", [ContractSerializer, PortalContractSerializer])
def test_contract_rendering_matches_drf(contracts, serializer_class):
    for contract in contracts:
        serializer = serializer_class(contract)
        assert _json(serializer.data) == _drf(serializer)
        assert set(serializer.data) == set(serializer_class().fields)
    active, cancelled = (serializer_class(c).data for c in contracts)
    assert active["activated_at"].endswith("Z") and active["ended_at"] is None
    assert cancelled["ended_at"] is not None


def test_order_rendering_matches_drf(contracts, put_order, order_body):
    order = Order.objects.select_related("customer", "payment").get()
    serializer = OrderOutputSerializer(order, contracts=contracts)
    # Where DRF's own rendering looks for what order_dict adds:
    order.contracts = contracts
    order.payment.publishable_key = settings.STRIPE_PUBLISHABLE_KEY
    assert _json(serializer.data) == _drf(serializer)
    assert set(serializer.data) == set(OrderOutputSerializer().fields)
    assert serializer.data["payment"]["state"] == "succeeded"
