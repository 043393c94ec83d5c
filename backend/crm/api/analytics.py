"""Analytics endpoints: marketing sees every merchant (or one, with ``?merchant=``); a
merchant (API key or merchant admin) sees only its own. The widget reports offer events."""

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.api.fields import StrictCharField
from backend.common.api.query import QuerySerializer
from backend.common.exceptions import NotFound, PermissionDenied
from backend.crm import analytics
from backend.crm.choices import OfferEventKind
from backend.crm.permissions import is_marketing
from backend.merchants.api.permissions import request_merchant
from backend.merchants.api.publishable import WidgetMixin
from backend.merchants.models import Merchant
from backend.plans.catalog_cache import catalog_snapshot

MAX_DAYS = 366
# Dates outside these bounds are answered with a 400, not an arithmetic overflow.
EARLIEST = date(2000, 1, 1)
LATEST = date(2999, 12, 31)


class IsAnalyticsViewer(BasePermission):
    message = "Analytics are for marketing, and for merchants (their own)."

    def has_permission(self, request, view) -> bool:
        if is_marketing(request.user):
            return True
        merchant = request_merchant(request)
        return merchant is not None and merchant.is_active


class PeriodSerializer(QuerySerializer):
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)
    merchant = serializers.SlugField(required=False, help_text="Marketing only: one merchant.")

    def validate_since(self, value: date) -> date:
        return self._in_range(value)

    def validate_until(self, value: date) -> date:
        return self._in_range(value)

    @staticmethod
    def _in_range(value: date) -> date:
        if not EARLIEST <= value <= LATEST:
            raise serializers.ValidationError(
                _("Must be between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()}
            )
        return value

    def validate(self, attrs):
        until = attrs.get("until") or timezone.localdate()
        since = attrs.get("since") or until - timedelta(days=89)
        if since > until:
            raise serializers.ValidationError({"since": [_("Must not be after until.")]})
        if (until - since).days >= MAX_DAYS:
            raise serializers.ValidationError(
                {"since": [_("At most %(n)d days at a time.") % {"n": MAX_DAYS}]}
            )
        attrs["period"] = analytics.Period(since=since, until=until)
        return attrs


class ClaimRatesQuerySerializer(PeriodSerializer):
    by = serializers.ChoiceField(choices=analytics.GROUPINGS, default="category")


class AnalyticsView(APIView):
    permission_classes = [IsAnalyticsViewer]
    query_serializer = PeriodSerializer

    def scope(self, request) -> tuple[int | None, dict]:
        """The merchant whose figures to show (None: all) and the query's parameters."""
        query = self.query_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        slug = params.get("merchant")
        if not is_marketing(request.user):
            own = request_merchant(request)
            if slug and slug != own.slug:
                raise PermissionDenied(
                    _("A merchant sees only its own analytics."), code="forbidden"
                )
            return own.id, params
        if slug:
            merchant = Merchant.objects.filter(slug=slug).first()
            if merchant is None:
                raise NotFound(_("No merchant %(slug)r.") % {"slug": slug})
            return merchant.id, params
        return None, params

    @staticmethod
    def body(params, **figures) -> dict:
        period = params["period"]
        return {"since": period.since, "until": period.until, **figures}


_FORBIDDEN = {403: OpenApiResponse(description="Not marketing or a merchant.")}


class OfferAnalyticsView(AnalyticsView):
    """Per plan: impressions, declines, units bought and the conversion rate; and the
    post-purchase offers (leads) of the period."""

    @extend_schema(
        parameters=[PeriodSerializer],
        responses={
            200: inline_serializer(
                "OfferAnalytics",
                {
                    "since": serializers.DateField(),
                    "until": serializers.DateField(),
                    "plans": serializers.ListField(child=serializers.DictField()),
                    "leads": serializers.DictField(),
                },
            ),
            **_FORBIDDEN,
        },
    )
    def get(self, request):
        merchant_id, params = self.scope(request)
        period = params["period"]
        return Response(
            self.body(
                params,
                plans=analytics.offer_funnel(merchant_id=merchant_id, period=period),
                leads=analytics.lead_funnel(merchant_id=merchant_id, period=period),
            )
        )


class ClaimAnalyticsView(AnalyticsView):
    """Claim rate and claims per reason, per category, SKU or merchant (``by``), for plans
    sold in the period: the product-defect signal. Highest claim rate first."""

    query_serializer = ClaimRatesQuerySerializer

    @extend_schema(
        parameters=[ClaimRatesQuerySerializer],
        responses={
            200: inline_serializer(
                "ClaimAnalytics",
                {
                    "since": serializers.DateField(),
                    "until": serializers.DateField(),
                    "by": StrictCharField(),
                    "groups": serializers.ListField(child=serializers.DictField()),
                },
            ),
            **_FORBIDDEN,
        },
    )
    def get(self, request):
        merchant_id, params = self.scope(request)
        groups = analytics.claim_rates(
            merchant_id=merchant_id, period=params["period"], by=params["by"]
        )
        return Response(self.body(params, by=params["by"], groups=groups))


class LossRatioView(AnalyticsView):
    """Per plan and currency, for plans sold in the period: premiums kept, the part of them
    earned to date, claims paid, and the loss ratio (claims paid over earned premium)."""

    @extend_schema(
        parameters=[PeriodSerializer],
        responses={
            200: inline_serializer(
                "LossRatios",
                {
                    "since": serializers.DateField(),
                    "until": serializers.DateField(),
                    "plans": serializers.ListField(child=serializers.DictField()),
                },
            ),
            **_FORBIDDEN,
        },
    )
    def get(self, request):
        merchant_id, params = self.scope(request)
        rows = analytics.loss_ratios(merchant_id=merchant_id, period=params["period"])
        return Response(self.body(params, plans=rows))


class SlaTrendQuerySerializer(QuerySerializer):
    weeks = serializers.IntegerField(min_value=1, max_value=52, default=12)
    merchant = serializers.SlugField(required=False)


class SlaTrendView(AnalyticsView):
    """The desk's SLA per week of filing: claims filed, breaches, median hours to first
    response and to decision."""

    query_serializer = SlaTrendQuerySerializer

    @extend_schema(
        parameters=[SlaTrendQuerySerializer],
        responses={
            200: inline_serializer(
                "SlaTrend", {"weeks": serializers.ListField(child=serializers.DictField())}
            ),
            **_FORBIDDEN,
        },
    )
    def get(self, request):
        merchant_id, params = self.scope(request)
        return Response(
            {"weeks": analytics.sla_trend(merchant_id=merchant_id, weeks=params["weeks"])}
        )


class OfferEventSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[OfferEventKind.IMPRESSION, OfferEventKind.DECLINE])
    category = serializers.SlugField(max_length=50)
    plan_codes = serializers.ListField(
        child=serializers.SlugField(max_length=60), min_length=1, max_length=10
    )
    jurisdiction = StrictCharField(max_length=6, required=False)


class OfferEventsSerializer(serializers.Serializer):
    events = OfferEventSerializer(many=True, min_length=1, max_length=20)


class WidgetEventsView(WidgetMixin, APIView):
    """The widget reports offers shown (``impression``) and turned down (``decline``), per
    plan. Plans the merchant does not offer are ignored. Counted per day, never per view."""

    @extend_schema(
        request=OfferEventsSerializer,
        responses={
            202: inline_serializer("OfferEventsRecorded", {"recorded": serializers.IntegerField()})
        },
    )
    def post(self, request):
        serializer = OfferEventsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        merchant_id = request.user.merchant.id
        offered = {o.plan.code for o in catalog_snapshot().offerings_for(merchant_id)}
        events = [
            analytics.OfferEvent(kind=e["kind"], plan_code=code, category=e["category"])
            for e in serializer.validated_data["events"]
            for code in dict.fromkeys(e["plan_codes"])
            if code in offered
        ]
        recorded = analytics.offer_events_record(merchant_id=merchant_id, events=events)
        return Response({"recorded": recorded}, status=status.HTTP_202_ACCEPTED)
