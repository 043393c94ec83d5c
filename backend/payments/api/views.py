from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.payments.choices import StripeEventStatus
from backend.payments.stripe_events import stripe_event_receive
from backend.payments.tasks import stripe_event_process_task


class StripeWebhookView(APIView):
    """Stripe's webhook endpoint. Signed with the endpoint secret; each event is stored once
    and processed asynchronously. A bad or stale signature is ``400 invalid_signature``."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request={"application/json": {"type": "object"}},
        responses=inline_serializer(
            "WebhookReceipt",
            {
                "received": serializers.BooleanField(),
                "duplicate": serializers.BooleanField(),
            },
        ),
    )
    def post(self, request):
        event, created = stripe_event_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
        if event.status in (StripeEventStatus.RECEIVED, StripeEventStatus.FAILED):
            stripe_event_process_task.delay(event.pk)
        return Response({"received": True, "duplicate": not created})
