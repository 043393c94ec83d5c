from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.api.fields import StrictCharField, StrictModelSerializer
from backend.common.exceptions import NotFound
from backend.merchants.api.permissions import IsMerchant, request_merchant
from backend.webhooks.choices import WebhookEventType
from backend.webhooks.models import WebhookDelivery, WebhookEndpoint
from backend.webhooks.services import delivery_resend, endpoint_create, endpoint_test
from backend.webhooks.tasks import webhook_deliver_task


class EndpointSerializer(StrictModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(
            choices=[c for c in WebhookEventType.choices if c[0] != WebhookEventType.WEBHOOK_TEST]
        ),
        required=False,
        help_text="Empty or absent: every event type.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("id", "url", "event_types", "is_active", "created_at")
        read_only_fields = ("id", "is_active", "created_at")


class EndpointCreatedSerializer(EndpointSerializer):
    secret = StrictCharField(help_text="Verify Coverdesk-Signature with this secret.")

    class Meta(EndpointSerializer.Meta):
        fields = (*EndpointSerializer.Meta.fields, "secret")


class DeliverySerializer(StrictModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "event_id",
            "event_type",
            "state",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
        )


def _endpoint(request, pk) -> WebhookEndpoint:
    try:
        return WebhookEndpoint.objects.get(merchant=request_merchant(request), pk=pk)
    except WebhookEndpoint.DoesNotExist:
        raise NotFound("No such webhook endpoint.", code="webhook_endpoint_not_found") from None


class EndpointListCreateView(generics.ListAPIView):
    """Your webhook endpoints. Creating one returns its signing secret."""

    permission_classes = [IsMerchant]
    serializer_class = EndpointSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookEndpoint.objects.none()
        return WebhookEndpoint.objects.filter(merchant=request_merchant(self.request))

    @extend_schema(request=EndpointSerializer, responses={201: EndpointCreatedSerializer})
    def post(self, request):
        serializer = EndpointSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = endpoint_create(
            merchant=request_merchant(request),
            url=serializer.validated_data["url"],
            event_types=serializer.validated_data.get("event_types", []),
        )
        return Response(EndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class EndpointDetailView(APIView):
    permission_classes = [IsMerchant]

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        _endpoint(request, pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveryListView(generics.ListAPIView):
    """Every delivery to one endpoint, newest first, with its attempts and last response."""

    permission_classes = [IsMerchant]
    serializer_class = DeliverySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        return _endpoint(self.request, self.kwargs["pk"]).deliveries.all()


class EndpointTestView(APIView):
    """Send a ``webhook.test`` event to this endpoint now (it shows in the delivery log)."""

    permission_classes = [IsMerchant]

    @extend_schema(request=None, responses={202: DeliverySerializer})
    def post(self, request, pk: int):
        delivery = endpoint_test(endpoint=_endpoint(request, pk))
        webhook_deliver_task.delay(delivery.pk)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class DeliveryResendView(APIView):
    """Send one delivery again now, with its event id unchanged."""

    permission_classes = [IsMerchant]

    @extend_schema(request=None, responses={202: DeliverySerializer})
    def post(self, request, pk: int, delivery_id: int):
        delivery = _endpoint(request, pk).deliveries.filter(pk=delivery_id).first()
        if delivery is None:
            raise NotFound("No such delivery.", code="webhook_delivery_not_found")
        delivery = delivery_resend(delivery=delivery)
        webhook_deliver_task.delay(delivery.pk)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
