"""The shopper's claims over HTTP (the portal): only their own claims, on their own
contracts. Filing, eligibility and the claim guide, replies, withdrawal, appeal, evidence
and the satisfaction rating (the rating link needs no sign-in: its token is the credential).
"""

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.claims import guides, selectors, services
from backend.claims.api.evidence import EVIDENCE_RESPONSES, EVIDENCE_SIZE, evidence_response
from backend.claims.api.serializers import (
    ClaimFileSerializer,
    ClaimSummarySerializer,
    EligibilityQuerySerializer,
    EligibilitySerializer,
    GuideSerializer,
    MessageSerializer,
    PortalClaimSerializer,
    RateSerializer,
    ReasonSerializer,
    ReplySerializer,
)
from backend.claims.choices import EvidenceKind
from backend.claims.csat import csat_claim_id
from backend.claims.eligibility import claim_eligibility
from backend.claims.models import ClaimEvidence
from backend.claims.uploads import clean_uploads
from backend.common.actors import Actor, ActorKind
from backend.common.api.throttling import AddressScopedRateThrottle
from backend.common.exceptions import NotFound, ValidationFailed
from backend.customers.permissions import IsShopper, request_customer

UPLOAD_PARSERS = [MultiPartParser, FormParser, JSONParser]


def _shopper(request) -> Actor:
    return Actor.person(ActorKind.SHOPPER, request.user)


def _files(data) -> list[tuple[str, object]]:
    return [(EvidenceKind.PHOTO, f) for f in data.get("photos", [])] + [
        (EvidenceKind.RECEIPT, f) for f in data.get("receipts", [])
    ]


def _language(request) -> str:
    return (get_language() or "en").lower()


class PortalClaimListView(APIView):
    """Your claims (GET), and filing a new one (POST, multipart with ``photos`` and
    ``receipts`` files, or JSON without files)."""

    permission_classes = [IsShopper]
    parser_classes = UPLOAD_PARSERS

    @extend_schema(responses=ClaimSummarySerializer(many=True))
    def get(self, request):
        claims = selectors.claim_list_for_customer(customer=request_customer(request))
        return Response(ClaimSummarySerializer(claims, many=True).data)

    @extend_schema(
        request={
            "multipart/form-data": ClaimFileSerializer,
            "application/json": ClaimFileSerializer,
        },
        responses={
            201: PortalClaimSerializer,
            413: OpenApiResponse(description="A file is too large (file_too_large)."),
            422: OpenApiResponse(description="Not eligible (claim_not_eligible, with reasons)."),
        },
    )
    def post(self, request):
        customer = request_customer(request)
        serializer = ClaimFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        contract = selectors.contract_get_for_customer(customer, params["contract"])
        files = clean_uploads(_files(params))  # every file checked before anything is written
        claim, failed = services.claim_file(
            contract=contract,
            actor=_shopper(request),
            files=files,
            language=_language(request),
            **ClaimFileSerializer.filing(params),
        )
        body = PortalClaimSerializer(claim).data
        body["files_not_stored"] = failed
        return Response(body, status=status.HTTP_201_CREATED)


class PortalEligibilityView(APIView):
    """Whether a claim could be filed, with every reason it could not, before the shopper
    writes it."""

    permission_classes = [IsShopper]

    @extend_schema(parameters=[EligibilityQuerySerializer], responses=EligibilitySerializer)
    def get(self, request):
        serializer = EligibilityQuerySerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        contract = selectors.contract_get_for_customer(
            request_customer(request), params["contract"]
        )
        problems = claim_eligibility(
            contract,
            reason=params["reason"],
            failure_date=params["failure_date"],
            language=_language(request),
        )
        return Response({"eligible": not problems, "reasons": [p.as_dict() for p in problems]})


class PortalGuideView(APIView):
    """The guided questions for a contract's product category (answer them before filing:
    a tip may solve the problem without a claim)."""

    permission_classes = [IsShopper]

    @extend_schema(
        parameters=[OpenApiParameter("contract", str, required=True)], responses=GuideSerializer
    )
    def get(self, request):
        number = request.query_params.get("contract", "")
        contract = selectors.contract_get_for_customer(request_customer(request), number)
        category = contract.product_snapshot.get("category", "")
        return Response({"category": category, "questions": guides.guide_for(category)})


class PortalClaimView(APIView):
    permission_classes = [IsShopper]

    @extend_schema(responses=PortalClaimSerializer)
    def get(self, request, number: str):
        claim = selectors.claim_get_for_customer(customer=request_customer(request), number=number)
        return Response(PortalClaimSerializer(claim).data)


class PortalReplyView(APIView):
    """Write to the desk, with files if they asked for some. A claim waiting for you goes
    back to review."""

    permission_classes = [IsShopper]
    parser_classes = UPLOAD_PARSERS

    @extend_schema(
        request={"multipart/form-data": ReplySerializer, "application/json": ReplySerializer},
        responses={201: MessageSerializer},
    )
    def post(self, request, number: str):
        claim = selectors.claim_get_for_customer(customer=request_customer(request), number=number)
        serializer = ReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        files = clean_uploads(_files(params), already=claim.evidence.count())
        message, failed = services.claim_reply(
            claim_id=claim.pk, actor=_shopper(request), body=params["body"], files=files
        )
        body = MessageSerializer(message).data
        body["files_not_stored"] = failed
        return Response(body, status=status.HTTP_201_CREATED)


class PortalWithdrawView(APIView):
    permission_classes = [IsShopper]

    @extend_schema(request=None, responses=PortalClaimSerializer)
    def post(self, request, number: str):
        claim = selectors.claim_get_for_customer(customer=request_customer(request), number=number)
        claim = services.claim_withdraw(claim_id=claim.pk, actor=_shopper(request))
        return Response(PortalClaimSerializer(claim).data)


class PortalAppealView(APIView):
    permission_classes = [IsShopper]

    @extend_schema(request=ReasonSerializer, responses=PortalClaimSerializer)
    def post(self, request, number: str):
        claim = selectors.claim_get_for_customer(customer=request_customer(request), number=number)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = services.claim_appeal(
            claim_id=claim.pk, actor=_shopper(request), reason=serializer.validated_data["reason"]
        )
        return Response(PortalClaimSerializer(claim).data)


class PortalEvidenceView(APIView):
    permission_classes = [IsShopper]

    @extend_schema(parameters=[EVIDENCE_SIZE], responses=EVIDENCE_RESPONSES)
    def get(self, request, number: str, evidence_id: int):
        claim = selectors.claim_get_for_customer(customer=request_customer(request), number=number)
        evidence = ClaimEvidence.objects.filter(claim=claim, pk=evidence_id).first()
        if evidence is None:
            raise NotFound(_("No such file."), code="evidence_not_found")
        return evidence_response(request, evidence)


class RateView(APIView):
    """Rate a resolved claim (1-5, and a comment) with the token from the e-mail or the
    portal. No sign-in: the token is the credential, for one claim, once."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AddressScopedRateThrottle]
    throttle_scope = "claim_rate"

    @extend_schema(request=RateSerializer, responses={204: None})
    def post(self, request):
        serializer = RateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        claim_id = csat_claim_id(params["token"])
        if claim_id is None:
            raise ValidationFailed(
                _("This rating link is not valid or has expired."), code="invalid_token"
            )
        services.claim_rate(
            claim_id=claim_id, score=params["score"], comment=params.get("comment", "")
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
