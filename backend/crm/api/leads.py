"""Leads: merchants report order lines sold without a plan; the landing page reads a lead's
offers through the widget's key."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.catalog.selectors import category_slugs
from backend.checkout.api.serializers import CustomerInputSerializer
from backend.common.api.fields import (
    JurisdictionField,
    StrictCharField,
    StrictIntegerField,
    StrictModelSerializer,
)
from backend.crm import leads
from backend.crm.models import Lead
from backend.merchants.api.permissions import IsMerchant, request_merchant
from backend.merchants.api.publishable import WidgetMixin
from backend.plans.api.serializers import InlineProductSerializer, OffersResponseSerializer
from backend.plans.api.views import offers_body
from backend.plans.offers import ProductInput
from backend.plans.selectors import product_input_for_sku


class LeadLineInputSerializer(serializers.Serializer):
    position = StrictIntegerField(min_value=0, max_value=999, help_text="The line's number.")
    sku = StrictCharField(max_length=100, required=False)
    product = InlineProductSerializer(required=False)
    quantity = StrictIntegerField(min_value=1, max_value=settings.OFFER_MAX_QUANTITY, default=1)

    def validate(self, attrs):
        if ("sku" in attrs) == ("product" in attrs):
            raise serializers.ValidationError(
                {"sku": [_("Give either a sku or an inline product, not both or neither.")]}
            )
        return attrs


class MarketingConsentInputSerializer(serializers.Serializer):
    granted = serializers.BooleanField()
    text = StrictCharField(
        max_length=1000, help_text="The consent text the shopper saw at your checkout."
    )


class LeadReportSerializer(serializers.Serializer):
    customer = CustomerInputSerializer()
    jurisdiction = JurisdictionField()
    purchased_at = serializers.DateTimeField(required=False)
    lines = LeadLineInputSerializer(many=True, min_length=1, max_length=50)
    marketing_email_consent = MarketingConsentInputSerializer(
        required=False,
        help_text="Only if your checkout asked the shopper about offers by e-mail.",
    )

    def validate_purchased_at(self, value):
        if value > timezone.now():
            raise serializers.ValidationError(_("The purchase cannot be in the future."))
        return value

    def validate_lines(self, lines):
        positions = [line["position"] for line in lines]
        if len(set(positions)) != len(positions):
            raise serializers.ValidationError(_("Each line needs its own position."))
        return lines


class LeadSerializer(StrictModelSerializer):
    title = StrictCharField(source="product.title", read_only=True)

    class Meta:
        model = Lead
        fields = (
            "position",
            "title",
            "category",
            "quantity",
            "quantity_consumed",
            "state",
            "purchased_at",
            "window_ends_at",
            "offer_sent_at",
        )


class LeadReportView(APIView):
    """The lines of one of your orders that were sold without a plan, keyed by your order id.

    PUT records each line as a lead while a plan you offer for it can still be bought
    (its buying window), and answers per line: the lead, or why there is none
    (``no_eligible_plan``, ``window_closed``). It is idempotent: a line sent again keeps
    its lead. Customers who consented get one factual offer e-mail per order, a day later.
    """

    permission_classes = [IsMerchant]

    @extend_schema(responses=LeadSerializer(many=True))
    def get(self, request, merchant_order_id: str):
        rows = Lead.objects.filter(
            merchant=request_merchant(request), merchant_order_id=merchant_order_id
        ).order_by("position")
        return Response(LeadSerializer(rows, many=True).data)

    @extend_schema(
        request=LeadReportSerializer,
        responses=inline_serializer(
            "LeadReportResult",
            {
                "lines": inline_serializer(
                    "LeadLineResult",
                    {
                        "position": serializers.IntegerField(),
                        "lead": LeadSerializer(allow_null=True),
                        "skipped": StrictCharField(),
                    },
                    many=True,
                )
            },
        ),
    )
    def put(self, request, merchant_order_id: str):
        merchant = request_merchant(request)
        serializer = LeadReportSerializer(
            data=request.data, context={"category_slugs": category_slugs()}
        )
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        lines = [
            leads.LeadLineInput(
                position=line["position"],
                product=product_input_for_sku(merchant=merchant, sku=line["sku"])
                if "sku" in line
                else ProductInput(sku=None, **line["product"]),
                quantity=line["quantity"],
            )
            for line in params["lines"]
        ]
        consent = params.get("marketing_email_consent")
        results = leads.leads_report(
            merchant=merchant,
            report=leads.LeadReport(
                merchant_order_id=merchant_order_id,
                jurisdiction=params["jurisdiction"],
                customer=dict(params["customer"]),
                purchased_at=params.get("purchased_at") or timezone.now(),
                lines=lines,
                marketing_email_consent=consent["granted"] if consent else None,
                marketing_email_text=consent["text"] if consent else "",
            ),
        )
        body = {
            "lines": [
                {
                    "position": r.position,
                    "lead": LeadSerializer(r.lead).data if r.lead else None,
                    "skipped": r.skipped,
                }
                for r in results
            ]
        }
        return Response(body, status=status.HTTP_200_OK)


class LeadOffersView(WidgetMixin, APIView):
    """The landing page's data: the purchase a lead is for, its uncovered units, who it was
    sent to, and the plans that can still be added (with offer tokens for checkout).
    A forged or other merchant's token is ``400 lead_token_invalid``; a closed buying
    window ``400 lead_token_expired``."""

    @extend_schema(
        responses=inline_serializer(
            "LeadOffers",
            {
                "merchant": StrictCharField(),
                "quantity_left": serializers.IntegerField(),
                "window_ends_at": serializers.DateTimeField(),
                "purchased_at": serializers.DateTimeField(),
                "customer": inline_serializer(
                    "LeadCustomer",
                    {
                        "email": serializers.EmailField(),
                        "first_name": StrictCharField(),
                        "last_name": StrictCharField(),
                    },
                ),
                "offers": OffersResponseSerializer(),
            },
        )
    )
    def get(self, request, token: str):
        lead = leads.lead_from_token(token, merchant_id=request.user.merchant.id)
        customer = lead.customer
        body = offers_body(
            request,
            product=leads.lead_product(lead),
            jurisdiction=lead.jurisdiction,
            quantity=lead.quantity_left,
            offer_set=leads.lead_offers(lead),
            language=get_language() or "en",
        )
        return Response(
            {
                "merchant": lead.merchant.name,
                "quantity_left": lead.quantity_left,
                "window_ends_at": lead.window_ends_at,
                "purchased_at": lead.purchased_at,
                "customer": {
                    "email": customer.email,
                    "first_name": customer.first_name,
                    "last_name": customer.last_name,
                },
                "offers": body,
            }
        )
