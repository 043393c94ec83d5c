"""The Shopify connector over HTTP: for the merchant (an install link, its shops and the
webhooks they sent), and for Shopify (the OAuth callback, the webhooks)."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.api.fields import StrictCharField
from backend.common.exceptions import ApplicationError
from backend.connectors.shopify import services
from backend.connectors.shopify.choices import Topic, WebhookStatus
from backend.connectors.shopify.models import Shop, Webhook
from backend.connectors.shopify.tasks import webhook_process_task
from backend.merchants.api.permissions import IsMerchant, request_merchant


def _absolute(request, name: str) -> str:
    return request.build_absolute_uri(reverse(name))


class InstallSerializer(serializers.Serializer):
    shop = StrictCharField(max_length=255, help_text="The shop's myshopify.com domain.")


class InstallCreatedSerializer(serializers.Serializer):
    shop = StrictCharField()
    install_url = serializers.URLField(
        help_text="Open it in the browser of someone who administers the shop."
    )


class InstallView(APIView):
    """Start installing the Coverdesk app on a Shopify shop: the link to Shopify's consent
    screen, valid for ten minutes and once."""

    permission_classes = [IsMerchant]

    @extend_schema(request=InstallSerializer, responses={201: InstallCreatedSerializer})
    def post(self, request):
        serializer = InstallSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        shop = serializer.validated_data["shop"]
        url = services.install_start(
            merchant=request_merchant(request),
            shop=shop,
            callback_url=_absolute(request, "shopify-callback"),
        )
        return Response(
            {"shop": shop.strip().lower(), "install_url": url}, status=status.HTTP_201_CREATED
        )


class ShopSerializer(serializers.ModelSerializer):
    class Meta:
        model = Shop
        fields = ("domain", "state", "scopes", "webhooks_registered", "installed_at",
                  "uninstalled_at")  # fmt: skip


class ShopListView(generics.ListAPIView):
    """The merchant's Shopify shops, installed or not."""

    permission_classes = [IsMerchant]
    serializer_class = ShopSerializer

    def get_queryset(self):
        return Shop.objects.filter(merchant=request_merchant(self.request))


class ShopWebhookSerializer(serializers.ModelSerializer):
    shop = serializers.CharField(source="domain")

    class Meta:
        model = Webhook
        fields = ("webhook_id", "topic", "shop", "status", "result", "error", "attempts",
                  "triggered_at", "received_at", "processed_at")  # fmt: skip


class ShopWebhookListView(generics.ListAPIView):
    """What the merchant's shops sent, newest first, and what became of each: processed
    (with its result), nothing to do, or refused (with the error's code and message)."""

    permission_classes = [IsMerchant]
    serializer_class = ShopWebhookSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=WebhookStatus.values),
            OpenApiParameter("topic", enum=Topic.values),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        webhooks = Webhook.objects.filter(shop__merchant=request_merchant(self.request))
        for name, choices in (("status", WebhookStatus.values), ("topic", Topic.values)):
            value = self.request.query_params.get(name)
            if value is not None:
                if value not in choices:
                    raise ApplicationError(
                        f"Unknown {name} {value!r}.", code="invalid_filter", fields={name: [value]}
                    )
                webhooks = webhooks.filter(**{name: value})
        return webhooks.order_by("-received_at", "-pk")


class ShopifyWebhookView(APIView):
    """Shopify's webhooks: verified by ``X-Shopify-Hmac-Sha256`` (401 and nothing stored
    otherwise), stored once by ``X-Shopify-Webhook-Id``, processed asynchronously."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request={"application/json": {"type": "object"}},
        responses={
            200: inline_serializer(
                "ShopifyWebhookReceipt",
                {"received": serializers.BooleanField(), "duplicate": serializers.BooleanField()},
            ),
            401: OpenApiResponse(description="`invalid_signature`: the HMAC is not Shopify's."),
        },
    )
    def post(self, request):
        webhook, created = services.webhook_receive(body=request.body, headers=request.headers)
        if webhook is not None and webhook.status in (WebhookStatus.RECEIVED, WebhookStatus.FAILED):
            webhook_process_task.delay(webhook.pk)
        return Response({"received": True, "duplicate": webhook is not None and not created})


@require_GET
def install_callback(request):
    """Where Shopify returns the merchant after its consent screen: a page that says
    whether the store is connected (an error is a page too, never a traceback)."""
    try:
        shop = services.install_complete(
            params=request.GET.dict(), webhook_url=_absolute(request, "shopify-webhooks")
        )
    except ApplicationError as error:
        return render(request, "shopify/installed.html", {"error": error.message},
                      status=error.status_code)  # fmt: skip
    response = render(request, "shopify/installed.html", {"shop": shop})
    response["Cache-Control"] = "no-store"
    return response
