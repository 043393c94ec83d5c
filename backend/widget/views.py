"""The widget's API: configuration, offers and checkout, for shoppers' browsers."""

import uuid

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.checkout.api.serializers import (
    CustomerInputSerializer,
    OrderLineInputSerializer,
    OrderOutputSerializer,
)
from backend.checkout.orders import LineInput, OrderInput, TermsAcceptance, order_upsert
from backend.common.actors import Actor, ActorKind
from backend.common.api.fields import JurisdictionField, StrictCharField
from backend.common.api.jurisdictions import JurisdictionListView
from backend.common.clientip import client_ip
from backend.contracts.selectors import order_get
from backend.crm.consent import honour_gpc
from backend.crm.leads import lead_checkout
from backend.customers.choices import ConsentSource, e_delivery_disclosure
from backend.merchants.api.publishable import WidgetMixin
from backend.payments.services import payment_confirm, payment_ensure_intent
from backend.payments.stripe_gateway import CardDeclined
from backend.plans.api.views import OffersView

# The checkbox the widget shows, versioned: the version is recorded with each acceptance.
TERMS_TEXT_VERSION = "widget-terms-2"


def terms_checkbox_text() -> str:
    return " ".join(
        (
            _(
                "I have read the plan terms (see the link next to each plan), including how "
                "to cancel, and I agree to them."
            ),
            e_delivery_disclosure(),
        )
    )


def stripe_js_url() -> str:
    base = settings.STRIPE_API_BASE
    return f"{base.rstrip('/')}/js.stripe.com/v3/" if base else "https://js.stripe.com/v3/"


def _order_id(cart_id: str) -> str:
    """The merchant order id of a widget cart (stable, so a resend finds the same order)."""
    return f"web-{uuid.uuid5(uuid.NAMESPACE_URL, cart_id).hex[:20]}"


class WidgetConfigView(WidgetMixin, APIView):
    """What the widget needs to render: the merchant, Stripe.js, and the checkbox text."""

    @extend_schema(
        responses=inline_serializer(
            "WidgetConfig",
            {
                "merchant": StrictCharField(),
                "stripe_publishable_key": StrictCharField(),
                "stripe_js_url": serializers.URLField(),
                "terms_text": StrictCharField(),
                "terms_text_version": StrictCharField(),
                "portal_url": serializers.URLField(),
            },
        )
    )
    def get(self, request):
        return Response(
            {
                "merchant": request.user.merchant.name,
                "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
                "stripe_js_url": stripe_js_url(),
                "terms_text": terms_checkbox_text(),
                "terms_text_version": TERMS_TEXT_VERSION,
                "portal_url": request.build_absolute_uri("/portal/"),
            }
        )


class WidgetJurisdictionsView(WidgetMixin, JurisdictionListView):
    """The jurisdictions the widget lets the shopper pick (``GET /jurisdictions/``), over
    the widget's key and origin check."""


class WidgetOffersView(WidgetMixin, OffersView):
    """The same offers as ``POST /offers/``, for the widget."""

    def get_merchant(self, request):
        return request.user.merchant


class WidgetCheckoutSerializer(serializers.Serializer):
    cart_id = serializers.RegexField(
        r"^[A-Za-z0-9_-]{8,64}$", help_text="The widget's id for this cart: resend-safe."
    )
    customer = CustomerInputSerializer()
    jurisdiction = JurisdictionField()
    lines = OrderLineInputSerializer(many=True, min_length=1, max_length=20)
    accepted_terms = serializers.BooleanField()
    marketing_email_consent = serializers.BooleanField(default=False)
    lead_token = StrictCharField(
        max_length=500,
        required=False,
        help_text="From a post-purchase offer's landing page: the purchase uses up its units.",
    )

    def validate_accepted_terms(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(_("Tick the box to accept the plan terms."))
        return value


class WidgetCheckoutView(WidgetMixin, APIView):
    """Start paying for plans from the widget: creates the order and its PaymentIntent.

    Prices come only from the signed offer tokens, so a browser cannot change them.
    Resending the same cart returns the same order.
    """

    @extend_schema(
        request=WidgetCheckoutSerializer,
        responses={200: OrderOutputSerializer, 201: OrderOutputSerializer},
    )
    def post(self, request):
        merchant = request.user.merchant
        serializer = WidgetCheckoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        order_id = _order_id(params["cart_id"])
        data = OrderInput(
            merchant_order_id=order_id,
            jurisdiction=params["jurisdiction"],
            customer={
                **params["customer"],
                "locale": params["customer"].get("locale") or get_language() or "en",
            },
            lines=[LineInput(**line) for line in params["lines"]],
            terms=TermsAcceptance(
                text=terms_checkbox_text(),
                text_version=TERMS_TEXT_VERSION,
                ip_address=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            ),
            marketing_email_consent=params["marketing_email_consent"],
            source=ConsentSource.WIDGET,
            actor=Actor(ActorKind.SHOPPER, f"{params['customer']['email']} via the widget"),
        )
        if "lead_token" in params:
            result = lead_checkout(merchant=merchant, token=params["lead_token"], data=data)
        else:
            result = order_upsert(merchant=merchant, data=data)
        order = result.order
        honour_gpc(order.customer, request)  # the shopper's own browser is asking
        order.payment = payment_ensure_intent(payment=order.payment)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        body = OrderOutputSerializer(order, contracts=result.contracts).data
        body["portal_url"] = request.build_absolute_uri(reverse("portal"))
        return Response(body, status=code)


class WidgetPaySerializer(serializers.Serializer):
    cart_id = serializers.RegexField(r"^[A-Za-z0-9_-]{8,64}$")
    payment_method = serializers.RegexField(
        r"^(pm|card|src)_[A-Za-z0-9_]{6,100}$",
        help_text="From Stripe.js (createPaymentMethod); card data never reaches Coverdesk.",
    )


class WidgetPayView(WidgetMixin, APIView):
    """Confirm the cart's payment with the card the shopper entered in Stripe.js.

    ``succeeded``: the plans are active now. ``requires_action``: finish 3-D Secure in
    the browser with Stripe.js and the client secret. A decline is ``402 card_declined``
    and can be retried with another card.
    """

    @extend_schema(
        request=WidgetPaySerializer,
        responses={
            200: inline_serializer(
                "WidgetPayment",
                {"status": StrictCharField(), "client_secret": StrictCharField()},
            ),
            402: OpenApiResponse(description="The card was declined (code card_declined)."),
        },
    )
    def post(self, request):
        params = WidgetPaySerializer(data=request.data)
        params.is_valid(raise_exception=True)
        order_id = _order_id(params.validated_data["cart_id"])
        order = order_get(merchant=request.user.merchant, merchant_order_id=order_id)
        intent = payment_confirm(
            payment_id=order.payment.pk, payment_method=params.validated_data["payment_method"]
        )
        if intent.last_error and intent.status != "succeeded":
            raise CardDeclined(intent.last_error, extra={"status": intent.status})
        return Response({"status": intent.status, "client_secret": intent.client_secret})
