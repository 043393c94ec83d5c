"""Claims for a merchant, through its API key: its customers' claims read (with the same
body as the ``claim.*`` webhooks), and a claim filed for a shopper from the merchant's own
support desk (assisted filing: the claim is the shopper's, the audit trail names the
merchant)."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.claims import selectors, services
from backend.claims.api.serializers import ClaimFileSerializer
from backend.claims.choices import ClaimReason, ClaimState, ResolutionKind
from backend.claims.models import Claim
from backend.claims.payloads import claim_dict
from backend.common.actors import Actor
from backend.common.api.fields import StrictCharField
from backend.merchants.api.permissions import IsMerchant, request_merchant


class MerchantClaimProductSerializer(serializers.Serializer):
    sku = StrictCharField(allow_null=True)
    title = StrictCharField()


class MerchantClaimSerializer(serializers.Serializer):
    """Schema of a claim as its merchant sees it; rendered by ``claims.payloads``."""

    number = StrictCharField()
    state = serializers.ChoiceField(choices=ClaimState.choices)
    contract_number = StrictCharField()
    customer_email = serializers.EmailField()
    product = MerchantClaimProductSerializer()
    reason = serializers.ChoiceField(choices=ClaimReason.choices)
    failure_date = serializers.DateField()
    description = StrictCharField()
    currency = StrictCharField()
    claimed_amount = serializers.IntegerField(allow_null=True)
    approved_amount = serializers.IntegerField(allow_null=True)
    resolution_kind = serializers.ChoiceField(choices=ResolutionKind.choices, allow_blank=True)
    filed_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance) -> dict:
        return claim_dict(instance)


class MerchantClaimFileSerializer(ClaimFileSerializer):
    """A claim filed by the merchant for its shopper: as the portal's, without files (the
    shopper adds photos and receipts in the portal)."""

    photos = None
    receipts = None


class MerchantClaimListView(generics.ListAPIView):
    """Your customers' claims, newest first; filter by ``state``, ``reason`` or
    ``contract`` (its number). POST files one for a shopper."""

    permission_classes = [IsMerchant]
    serializer_class = MerchantClaimSerializer
    filterset_fields = ("state", "reason")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request user
            return Claim.objects.none()
        claims = selectors.claim_list_for_merchant(merchant=request_merchant(self.request))
        contract = self.request.query_params.get("contract")
        return claims.filter(contract__number=contract) if contract else claims

    @extend_schema(parameters=[OpenApiParameter("contract", str, description="A contract number.")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=MerchantClaimFileSerializer,
        responses={
            201: MerchantClaimSerializer,
            404: OpenApiResponse(description="Not your contract (contract_not_found)."),
            422: OpenApiResponse(description="Not eligible (claim_not_eligible, with reasons)."),
        },
    )
    def post(self, request):
        merchant = request_merchant(request)
        serializer = MerchantClaimFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        contract = selectors.contract_get_for_merchant(merchant, params["contract"])
        claim, _failed = services.claim_file(
            contract=contract,
            actor=Actor.merchant(merchant, "claims API (assisted filing)"),
            language=request.LANGUAGE_CODE,
            **MerchantClaimFileSerializer.filing(params),
        )
        claim = selectors.claim_get_for_merchant(merchant=merchant, number=claim.number)
        return Response(MerchantClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


class MerchantClaimDetailView(APIView):
    permission_classes = [IsMerchant]

    @extend_schema(responses=MerchantClaimSerializer)
    def get(self, request, number: str):
        claim = selectors.claim_get_for_merchant(merchant=request_merchant(request), number=number)
        return Response(MerchantClaimSerializer(claim).data)
