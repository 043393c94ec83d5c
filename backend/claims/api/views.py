"""Claims over HTTP: the shopper's (portal, their own claims only) and the desk's."""

from django.contrib.auth import get_user_model
from django.http import FileResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.claims import canned, desk, fulfilment, guides, queues, selectors, services
from backend.claims.api.serializers import (
    ApproveSerializer,
    AssignSerializer,
    CannedResponseSerializer,
    ClaimFileSerializer,
    ClaimSummarySerializer,
    DecideSerializer,
    DenySerializer,
    DeskClaimPageSerializer,
    DeskClaimSerializer,
    DeskMessageSerializer,
    EligibilityQuerySerializer,
    EligibilitySerializer,
    FulfilSerializer,
    GuideSerializer,
    MessageSerializer,
    MetricsSerializer,
    PartnerSerializer,
    PortalClaimSerializer,
    QueueSerializer,
    RateSerializer,
    ReasonSerializer,
    ReplySerializer,
    ResolutionSerializer,
    ResolutionUpdateSerializer,
    TakeNextSerializer,
)
from backend.claims.choices import EvidenceKind
from backend.claims.csat import csat_claim_id
from backend.claims.eligibility import claim_eligibility
from backend.claims.models import Claim, ClaimEvidence, DeskQueue, RepairPartner
from backend.claims.permissions import IsDesk, IsDeskSupervisor, desk_level
from backend.claims.uploads import clean_uploads
from backend.common.actors import Actor, ActorKind
from backend.common.api.fields import StrictCharField
from backend.common.api.pagination import page_size_param
from backend.common.api.sessions import StaffLoginSerializer, StaffSessionView
from backend.common.api.throttling import AddressScopedRateThrottle
from backend.common.exceptions import NotFound, ValidationFailed
from backend.contracts.models import Contract
from backend.customers.permissions import IsShopper, request_customer

UPLOAD_PARSERS = [MultiPartParser, FormParser, JSONParser]


def _shopper(request) -> Actor:
    return Actor.person(ActorKind.SHOPPER, request.user)


def _staff(request) -> Actor:
    return Actor.person(ActorKind.STAFF, request.user)


def _files(data) -> list[tuple[str, object]]:
    return [(EvidenceKind.PHOTO, f) for f in data.get("photos", [])] + [
        (EvidenceKind.RECEIPT, f) for f in data.get("receipts", [])
    ]


def _language(request) -> str:
    return (get_language() or "en").lower()


EVIDENCE_SIZE = OpenApiParameter(
    "size", str, enum=["original", "thumbnail"], description="thumbnail: a small JPEG (photos)"
)
EVIDENCE_RESPONSES = {
    (200, "application/octet-stream"): OpenApiTypes.BINARY,
    404: OpenApiResponse(description="No such file (evidence_not_found), or no thumbnail of it."),
}


def _evidence_response(request, evidence: ClaimEvidence) -> FileResponse:
    """The file, or with ``?size=thumbnail`` its thumbnail (photos only)."""
    size = request.query_params.get("size", "original")
    if size not in ("original", "thumbnail"):
        raise ValidationFailed(
            _("size must be original or thumbnail."), fields={"size": ["invalid_choice"]}
        )
    if size == "thumbnail":
        if not evidence.thumbnail:
            raise NotFound(_("This file has no thumbnail."), code="thumbnail_not_found")
        return _file_response(
            evidence.thumbnail, "image/jpeg", f"{evidence.claim.number}-{evidence.pk}-small.jpg"
        )
    return _file_response(
        evidence.file,
        evidence.content_type,
        f"{evidence.claim.number}-{evidence.pk}.{evidence.extension}",
    )


def _file_response(file, content_type: str, filename: str) -> FileResponse:
    response = FileResponse(
        file.open("rb"),
        content_type=content_type,
        as_attachment=content_type == "application/pdf",
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Shopper (portal) --------------------------------------------------------------------


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
        contract = contract_get_for_customer(customer, params["contract"])
        files = clean_uploads(_files(params))  # every file checked before anything is written
        claim, failed = services.claim_file(
            contract=contract,
            actor=_shopper(request),
            reason=params["reason"],
            failure_date=params["failure_date"],
            description=params["description"],
            answers=params.get("answers") or {},
            serial_number=params.get("serial_number", ""),
            contact_name=params.get("contact_name", ""),
            claimed_amount=params.get("claimed_amount"),
            files=files,
            language=_language(request),
        )
        body = PortalClaimSerializer(claim).data
        body["files_not_stored"] = failed
        return Response(body, status=status.HTTP_201_CREATED)


def contract_get_for_customer(customer, number: str):

    contract = (
        Contract.objects.select_related("customer").filter(number=number, customer=customer).first()
    )
    if contract is None:
        raise NotFound(_("No such contract."), code="contract_not_found")
    return contract


class PortalEligibilityView(APIView):
    """Whether a claim could be filed, with every reason it could not, before the shopper
    writes it."""

    permission_classes = [IsShopper]

    @extend_schema(parameters=[EligibilityQuerySerializer], responses=EligibilitySerializer)
    def get(self, request):
        serializer = EligibilityQuerySerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        contract = contract_get_for_customer(request_customer(request), params["contract"])
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
        contract = contract_get_for_customer(request_customer(request), number)
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
        return _evidence_response(request, evidence)


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


# --- The desk ----------------------------------------------------------------------------


class DeskUserSerializer(serializers.Serializer):
    username = StrictCharField()
    name = StrictCharField()
    level = serializers.ChoiceField(choices=("agent", "supervisor"))


def _desk_user(user) -> dict:
    return {
        "username": user.get_username(),
        "name": user.get_full_name() or user.get_username(),
        "level": desk_level(user),
    }


@extend_schema_view(
    get=extend_schema(responses=DeskUserSerializer),
    post=extend_schema(request=StaffLoginSerializer, responses=DeskUserSerializer),
    delete=extend_schema(responses={204: None}),
)
class DeskSessionView(StaffSessionView):
    """GET: who is signed in to the desk (and a CSRF cookie). POST {username, password}:
    sign in (desk users only). DELETE: sign out."""

    not_signed_in = IsDesk.message
    refused = _lazy("Wrong username or password, or not a desk account.")

    def allowed(self, user) -> bool:
        return desk_level(user) is not None

    def describe(self, user) -> dict:
        return _desk_user(user)


def _queue_filters(request) -> dict:
    """Filters from a saved queue (``?queue=id``) or from the query string."""
    params = request.query_params
    queue_id = params.get("queue")
    if queue_id:
        queue = DeskQueue.objects.filter(pk=queue_id).first() if queue_id.isdigit() else None
        if queue is None:
            raise NotFound(_("No such queue."), code="queue_not_found")
        return queue.filters
    lists = ("state", "category", "merchant", "reason")
    raw = {}
    for key in params:
        if key in ("cursor", "page_size", "queue", "format"):
            continue
        raw[key] = params.getlist(key) if key in lists else params.get(key)
    return queues.validate_filters(raw)


class DeskClaimListView(APIView):
    """Claims in queue order (highest priority, soonest due, oldest), by keyset pages:
    pass ``next_cursor`` back as ``cursor``. Filter with a saved ``queue`` or with
    ``state``, ``priority_min``, ``category``, ``merchant``, ``reason``, ``sla_breached``,
    ``flagged`` and ``assignee`` (me, unassigned, anyone, a username)."""

    permission_classes = [IsDesk]

    @extend_schema(
        parameters=[
            OpenApiParameter("queue", int),
            OpenApiParameter("cursor", str),
            OpenApiParameter(
                "page_size", OpenApiTypes.INT, description="1 to 200; 50 when left out."
            ),
        ],
        responses=DeskClaimPageSerializer,
        operation_id="desk_claims_list",
    )
    def get(self, request):
        filters = _queue_filters(request)
        size = page_size_param(request, default=50, maximum=200)
        rows, next_cursor = queues.page(
            filters, request.user, cursor=request.query_params.get("cursor"), size=size
        )
        return Response({"results": rows, "next_cursor": next_cursor})


class DeskTakeNextView(APIView):
    """Assign yourself the next claim (of a queue, if given). 204 when there is none."""

    permission_classes = [IsDesk]

    @extend_schema(request=TakeNextSerializer, responses={200: DeskClaimSerializer, 204: None})
    def post(self, request):
        serializer = TakeNextSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        candidates = Claim.objects.all()
        queue_id = serializer.validated_data.get("queue")
        if queue_id:
            queue = DeskQueue.objects.filter(pk=queue_id).first()
            if queue is None:
                raise NotFound(_("No such queue."), code="queue_not_found")
            candidates = queues.apply_filters(candidates, queue.filters, request.user)
        claim = desk.claim_take_next(actor=_staff(request), queryset=candidates)
        if claim is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        claim = selectors.claim_get_for_desk(number=claim.number)
        return Response(DeskClaimSerializer(claim).data)


class DeskClaimView(APIView):
    permission_classes = [IsDesk]

    @extend_schema(responses=DeskClaimSerializer)
    def get(self, request, number: str):
        return Response(DeskClaimSerializer(selectors.claim_get_for_desk(number=number)).data)


class _DeskAction(APIView):
    """A desk action on one claim: validate, call the service, answer the fresh claim."""

    permission_classes = [IsDesk]
    serializer_class = None

    def act(self, request, claim, params):  # pragma: no cover - overridden
        raise NotImplementedError

    def post(self, request, number: str):
        claim = selectors.claim_get_for_desk(number=number)
        params = {}
        if self.serializer_class is not None:
            serializer = self.serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            params = serializer.validated_data
        result = self.act(request, claim, params)
        if result is not None:
            return result
        return Response(DeskClaimSerializer(selectors.claim_get_for_desk(number=number)).data)


class DeskMessageView(_DeskAction):
    """Write to the shopper (e-mailed to them) or add an internal note (``internal``)."""

    serializer_class = DeskMessageSerializer

    @extend_schema(request=DeskMessageSerializer, responses=DeskClaimSerializer)
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, request, claim, params):
        desk.claim_message(
            claim_id=claim.pk,
            actor=_staff(request),
            body=params["body"],
            internal=params["internal"],
            canned_response=params.get("canned_response", ""),
        )


class DeskAskView(_DeskAction):
    """Ask the shopper for something; the claim waits for them (reminders, then it closes
    by itself)."""

    serializer_class = DeskMessageSerializer

    @extend_schema(request=DeskMessageSerializer, responses=DeskClaimSerializer)
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, request, claim, params):
        desk.claim_ask_customer(
            claim_id=claim.pk,
            actor=_staff(request),
            body=params["body"],
            canned_response=params.get("canned_response", ""),
        )


class DeskApproveView(_DeskAction):
    """Approve with an amount and a resolution. Above your approval limit the claim goes to
    a supervisor (``pending_approval``)."""

    serializer_class = ApproveSerializer

    @extend_schema(request=ApproveSerializer, responses=DeskClaimSerializer)
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, request, claim, params):
        desk.claim_approve(
            claim_id=claim.pk,
            actor=_staff(request),
            amount=params["amount"],
            resolution=params["resolution"],
            note=params.get("note", ""),
        )


class DeskDenyView(_DeskAction):
    serializer_class = DenySerializer

    @extend_schema(request=DenySerializer, responses=DeskClaimSerializer)
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, request, claim, params):
        desk.claim_deny(claim_id=claim.pk, actor=_staff(request), note=params["note"])


class DeskDecideView(_DeskAction):
    """A supervisor decides a claim awaiting approval."""

    permission_classes = [IsDeskSupervisor]
    serializer_class = DecideSerializer

    @extend_schema(request=DecideSerializer, responses=DeskClaimSerializer)
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, request, claim, params):
        desk.claim_decide_approval(
            claim_id=claim.pk,
            actor=_staff(request),
            approve=params["approve"],
            amount=params.get("amount"),
            note=params.get("note", ""),
        )


class DeskTakeView(_DeskAction):
    """Take this claim yourself, if nobody has it yet (as take-next would hand it out)."""

    @extend_schema(request=None, responses=DeskClaimSerializer)
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, request, claim, params):
        desk.claim_take(claim_id=claim.pk, actor=_staff(request))


class DeskAssignView(_DeskAction):
    """A supervisor gives the claim to a desk user (``assignee``: a username, or null)."""

    permission_classes = [IsDeskSupervisor]
    serializer_class = AssignSerializer

    @extend_schema(request=AssignSerializer, responses=DeskClaimSerializer)
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, request, claim, params):
        assignee = None
        if params["assignee"]:
            assignee = get_user_model().objects.filter(username=params["assignee"]).first()
            if assignee is None:
                raise ValidationFailed(_("No such user."), fields={"assignee": ["No such user."]})
        desk.claim_assign(
            claim_id=claim.pk,
            actor=_staff(request),
            assignee=assignee,
            reason=params.get("reason", ""),
        )


class DeskFulfilView(_DeskAction):
    """Start the approved resolution (idempotent): a repair needs ``partner``, a
    reimbursement ``payout_method``."""

    serializer_class = FulfilSerializer

    @extend_schema(request=FulfilSerializer, responses=DeskClaimSerializer)
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, request, claim, params):
        partner = None
        if "partner" in params:
            partner = RepairPartner.objects.filter(pk=params["partner"], is_active=True).first()
            if partner is None:
                raise ValidationFailed(
                    _("No such repair partner."), fields={"partner": ["Unknown partner."]}
                )
        fulfilment.claim_fulfil(
            claim_id=claim.pk,
            actor=_staff(request),
            partner=partner,
            payout_method=params.get("payout_method", ""),
            payout_reference=params.get("payout_reference", ""),
        )


class DeskResolutionView(_DeskAction):
    """Move the resolution on: start, ship (carrier and tracking number), complete (the
    claim is resolved and the shopper asked for a rating)."""

    serializer_class = ResolutionUpdateSerializer

    @extend_schema(request=ResolutionUpdateSerializer, responses=ResolutionSerializer)
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, request, claim, params):
        fulfilment.resolution_update(
            claim_id=claim.pk,
            actor=_staff(request),
            action=params["action"],
            carrier=params.get("carrier", ""),
            tracking_number=params.get("tracking_number", ""),
        )


class DeskCloseView(_DeskAction):
    @extend_schema(request=None, responses=DeskClaimSerializer)
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, request, claim, params):
        fulfilment.claim_close(claim_id=claim.pk, actor=_staff(request))


class DeskEvidenceView(APIView):
    permission_classes = [IsDesk]

    @extend_schema(parameters=[EVIDENCE_SIZE], responses=EVIDENCE_RESPONSES)
    def get(self, request, number: str, evidence_id: int):
        claim = selectors.claim_get_for_desk(number=number)
        evidence = ClaimEvidence.objects.filter(claim=claim, pk=evidence_id).first()
        if evidence is None:
            raise NotFound(_("No such file."), code="evidence_not_found")
        return _evidence_response(request, evidence)


class DeskCannedView(APIView):
    """The canned responses for a claim, in its customer's language, with the placeholders
    filled in, ready to edit and send."""

    permission_classes = [IsDesk]

    @extend_schema(responses=CannedResponseSerializer(many=True))
    def get(self, request, number: str):
        claim = selectors.claim_get_for_desk(number=number)
        values = canned.placeholders(claim, request.user)
        return Response(
            [
                {**CannedResponseSerializer(c).data, "body": canned.render(c.body, values)}
                for c in canned.canned_for(claim, claim.contract.customer.locale)
            ]
        )


class DeskQueueListView(generics.ListCreateAPIView):
    """Saved queues; supervisors create them."""

    serializer_class = QueueSerializer
    queryset = DeskQueue.objects.all()
    pagination_class = None

    def get_permissions(self):
        return [IsDeskSupervisor()] if self.request.method == "POST" else [IsDesk()]

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)


class DeskPartnerListView(generics.ListAPIView):
    permission_classes = [IsDesk]
    serializer_class = PartnerSerializer
    queryset = RepairPartner.objects.filter(is_active=True)
    pagination_class = None


class DeskMetricsView(APIView):
    """Backlog by state, SLA breaches, median hours to first response and to resolution,
    claims per reason, CSAT."""

    permission_classes = [IsDesk]

    @extend_schema(responses=MetricsSerializer)
    def get(self, request):
        return Response(selectors.desk_metrics())
