"""The warranty desk over HTTP: sign-in, the queue and its filters, a claim and every action
on it (one view per action, each calling one service), evidence, canned responses, saved
queues, repair partners and the desk's metrics.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.claims import canned, desk, fulfilment, queues, selectors
from backend.claims.api.desk_serializers import (
    ApproveSerializer,
    AssignSerializer,
    CannedResponseSerializer,
    DecideSerializer,
    DenySerializer,
    DeskClaimPageSerializer,
    DeskClaimSerializer,
    DeskMessageSerializer,
    FulfilSerializer,
    MetricsSerializer,
    PartnerSerializer,
    QueueSerializer,
    ResolutionUpdateSerializer,
    TakeNextSerializer,
)
from backend.claims.api.evidence import EVIDENCE_RESPONSES, EVIDENCE_SIZE, evidence_response
from backend.claims.api.serializers import ResolutionSerializer
from backend.claims.models import Claim, ClaimEvidence, DeskQueue, RepairPartner
from backend.claims.permissions import IsDesk, IsDeskSupervisor, desk_level
from backend.common.actors import Actor, ActorKind
from backend.common.api.fields import StrictCharField
from backend.common.api.pagination import page_size_param
from backend.common.api.sessions import StaffLoginSerializer, StaffSessionView
from backend.common.exceptions import NotFound, ValidationFailed


def _staff(request) -> Actor:
    return Actor.person(ActorKind.STAFF, request.user)


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


@extend_schema_view(
    post=extend_schema(request=DeskMessageSerializer, responses=DeskClaimSerializer)
)
class DeskMessageView(_DeskAction):
    """Write to the shopper (e-mailed to them) or add an internal note (``internal``)."""

    serializer_class = DeskMessageSerializer

    def act(self, request, claim, params):
        desk.claim_message(
            claim_id=claim.pk,
            actor=_staff(request),
            body=params["body"],
            internal=params["internal"],
            canned_response=params.get("canned_response", ""),
        )


@extend_schema_view(
    post=extend_schema(request=DeskMessageSerializer, responses=DeskClaimSerializer)
)
class DeskAskView(_DeskAction):
    """Ask the shopper for something; the claim waits for them (reminders, then it closes
    by itself)."""

    serializer_class = DeskMessageSerializer

    def act(self, request, claim, params):
        desk.claim_ask_customer(
            claim_id=claim.pk,
            actor=_staff(request),
            body=params["body"],
            canned_response=params.get("canned_response", ""),
        )


@extend_schema_view(post=extend_schema(request=ApproveSerializer, responses=DeskClaimSerializer))
class DeskApproveView(_DeskAction):
    """Approve with an amount and a resolution. Above your approval limit the claim goes to
    a supervisor (``pending_approval``)."""

    serializer_class = ApproveSerializer

    def act(self, request, claim, params):
        desk.claim_approve(
            claim_id=claim.pk,
            actor=_staff(request),
            amount=params["amount"],
            resolution=params["resolution"],
            note=params.get("note", ""),
        )


@extend_schema_view(post=extend_schema(request=DenySerializer, responses=DeskClaimSerializer))
class DeskDenyView(_DeskAction):
    serializer_class = DenySerializer

    def act(self, request, claim, params):
        desk.claim_deny(claim_id=claim.pk, actor=_staff(request), note=params["note"])


@extend_schema_view(post=extend_schema(request=DecideSerializer, responses=DeskClaimSerializer))
class DeskDecideView(_DeskAction):
    """A supervisor decides a claim awaiting approval."""

    permission_classes = [IsDeskSupervisor]
    serializer_class = DecideSerializer

    def act(self, request, claim, params):
        desk.claim_decide_approval(
            claim_id=claim.pk,
            actor=_staff(request),
            approve=params["approve"],
            amount=params.get("amount"),
            note=params.get("note", ""),
        )


@extend_schema_view(post=extend_schema(request=None, responses=DeskClaimSerializer))
class DeskTakeView(_DeskAction):
    """Take this claim yourself, if nobody has it yet (as take-next would hand it out)."""

    def act(self, request, claim, params):
        desk.claim_take(claim_id=claim.pk, actor=_staff(request))


@extend_schema_view(post=extend_schema(request=AssignSerializer, responses=DeskClaimSerializer))
class DeskAssignView(_DeskAction):
    """A supervisor gives the claim to a desk user (``assignee``: a username, or null)."""

    permission_classes = [IsDeskSupervisor]
    serializer_class = AssignSerializer

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


@extend_schema_view(post=extend_schema(request=FulfilSerializer, responses=DeskClaimSerializer))
class DeskFulfilView(_DeskAction):
    """Start the approved resolution (idempotent): a repair needs ``partner``, a
    reimbursement ``payout_method``."""

    serializer_class = FulfilSerializer

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


@extend_schema_view(
    post=extend_schema(request=ResolutionUpdateSerializer, responses=ResolutionSerializer)
)
class DeskResolutionView(_DeskAction):
    """Move the resolution on: start, ship (carrier and tracking number), complete (the
    claim is resolved and the shopper asked for a rating)."""

    serializer_class = ResolutionUpdateSerializer

    def act(self, request, claim, params):
        fulfilment.resolution_update(
            claim_id=claim.pk,
            actor=_staff(request),
            action=params["action"],
            carrier=params.get("carrier", ""),
            tracking_number=params.get("tracking_number", ""),
        )


@extend_schema_view(post=extend_schema(request=None, responses=DeskClaimSerializer))
class DeskCloseView(_DeskAction):
    """Close a claim whose resolution is complete (or a denied one nobody appealed)."""

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
        return evidence_response(request, evidence)


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
