"""The marketing console's API: one view per operation, marketing role only."""

from django.db.models import Count, Q
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.html import escape
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.api.fields import StrictCharField
from backend.common.api.sessions import StaffLoginSerializer, StaffSessionView
from backend.common.clientip import client_ip
from backend.common.exceptions import NotFound, PermissionDenied
from backend.crm import consent, segments, selectors, services
from backend.crm.api.serializers import (
    CrmCustomerSerializer,
    CustomerTagInputSerializer,
    ExportInputSerializer,
    ExportSerializer,
    PreviewInputSerializer,
    PreviewSerializer,
    SegmentSerializer,
    SmsInboundSerializer,
    TagChangeSerializer,
    TagRemovalSerializer,
    TagRuleSerializer,
    TagSerializer,
)
from backend.crm.models import ExportJob, Segment, Tag, TagRule
from backend.crm.permissions import IsMarketing, is_marketing
from backend.customers.choices import ConsentSource
from backend.customers.models import Customer


class MarketingUserSerializer(serializers.Serializer):
    username = StrictCharField()
    name = StrictCharField()


@extend_schema_view(
    get=extend_schema(responses=MarketingUserSerializer),
    post=extend_schema(request=StaffLoginSerializer, responses=MarketingUserSerializer),
    delete=extend_schema(responses={204: None}),
)
class MarketingSessionView(StaffSessionView):
    """GET: who is signed in to the marketing console (and a CSRF cookie). POST
    {username, password}: sign in (marketing staff; merchant admins use the merchant
    console). DELETE: sign out."""

    not_signed_in = IsMarketing.message
    refused = "Wrong username or password, or not a marketing account."

    def allowed(self, user) -> bool:
        return is_marketing(user)

    def describe(self, user) -> dict:
        return {
            "username": user.get_username(),
            "name": user.get_full_name() or user.get_username(),
        }


class TagListView(generics.ListCreateAPIView):
    """Tags, with how many customers have each now."""

    permission_classes = [IsMarketing]
    serializer_class = TagSerializer
    pagination_class = None

    def get_queryset(self):
        live = Q(customer_tags__expires_at__isnull=True) | Q(
            customer_tags__expires_at__gt=timezone.now()
        )
        return Tag.objects.annotate(customers=Count("customer_tags", filter=live))


class TagRuleListView(generics.ListCreateAPIView):
    permission_classes = [IsMarketing]
    serializer_class = TagRuleSerializer
    queryset = TagRule.objects.select_related("tag")
    pagination_class = None


class TagRuleView(generics.RetrieveUpdateAPIView):
    """A rule's conditions, tag, expiry or activity; the trigger decides what it accepts."""

    permission_classes = [IsMarketing]
    serializer_class = TagRuleSerializer
    queryset = TagRule.objects.select_related("tag")


class CustomerListView(APIView):
    """Customers by e-mail or name (``q``), with their consent and current tags."""

    permission_classes = [IsMarketing]

    @extend_schema(
        parameters=[OpenApiParameter("q", str), OpenApiParameter("tag", str)],
        responses=CrmCustomerSerializer(many=True),
    )
    def get(self, request):
        customers = Customer.objects.order_by("-pk")
        query = request.query_params.get("q", "").strip()
        if query:
            customers = customers.filter(
                Q(email__icontains=query)
                | Q(first_name__icontains=query)
                | Q(last_name__icontains=query)
            )
        tag = request.query_params.get("tag")
        if tag:
            customers = customers.filter(tags__tag__slug=tag)
        return Response(selectors.customer_rows(customers[:50]))


def _customer(pk: int) -> Customer:
    customer = Customer.objects.filter(pk=pk).first()
    if customer is None:
        raise NotFound("No such customer.", code="customer_not_found")
    return customer


class CustomerTagsView(APIView):
    """GET: a customer's current tags and the full history of every tag. POST {tag,
    reason, expires_at}: tag them by hand."""

    permission_classes = [IsMarketing]

    @extend_schema(responses=TagChangeSerializer(many=True))
    def get(self, request, pk: int):
        customer = _customer(pk)
        history = customer.tag_changes.select_related("tag", "actor", "rule")[:500]
        return Response(
            {
                "customer": selectors.customer_rows([customer])[0],
                "history": TagChangeSerializer(history, many=True).data,
            }
        )

    @extend_schema(request=CustomerTagInputSerializer, responses={201: None, 200: None})
    def post(self, request, pk: int):
        customer = _customer(pk)
        serializer = CustomerTagInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changed = services.tag_add(
            customer=customer, actor=request.user, **serializer.validated_data
        )
        return Response(
            selectors.customer_rows([customer])[0],
            status=status.HTTP_201_CREATED if changed else status.HTTP_200_OK,
        )


class CustomerTagView(APIView):
    permission_classes = [IsMarketing]

    @extend_schema(request=TagRemovalSerializer, responses={204: None})
    def delete(self, request, pk: int, slug: str):
        customer = _customer(pk)
        tag = Tag.objects.filter(slug=slug).first()
        if tag is None:
            raise NotFound("No such tag.", code="tag_not_found")
        serializer = TagRemovalSerializer(data=request.data or {})
        serializer.is_valid(raise_exception=True)
        services.tag_remove(
            customer=customer,
            tag=tag,
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SegmentListView(generics.ListCreateAPIView):
    permission_classes = [IsMarketing]
    serializer_class = SegmentSerializer
    queryset = Segment.objects.select_related("created_by")
    pagination_class = None

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)


class SegmentView(generics.RetrieveUpdateDestroyAPIView):
    permission_classes = [IsMarketing]
    serializer_class = SegmentSerializer
    queryset = Segment.objects.select_related("created_by")


class SegmentPreviewView(APIView):
    """The live count and a sample, as a definition is edited (nothing is saved)."""

    permission_classes = [IsMarketing]

    @extend_schema(request=PreviewInputSerializer, responses=PreviewSerializer)
    def post(self, request):
        serializer = PreviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(segments.segment_preview(serializer.validated_data["definition"]))


class ExportListView(APIView):
    """GET: exports, newest first (the audit trail: who, what, rows, checksum). POST
    {segment | definition, format, channel}: queue an export; 202 with the job to poll."""

    permission_classes = [IsMarketing]

    @extend_schema(responses=ExportSerializer(many=True))
    def get(self, request):
        jobs = ExportJob.objects.select_related("requested_by")[:100]
        return Response(ExportSerializer(jobs, many=True).data)

    @extend_schema(request=ExportInputSerializer, responses={202: ExportSerializer})
    def post(self, request):
        serializer = ExportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = services.export_create(
            user=request.user,
            export_format=data["format"],
            channel=data["channel"],
            segment=data.get("segment"),
            definition=data.get("definition"),
        )
        return Response(ExportSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ExportView(generics.RetrieveAPIView):
    permission_classes = [IsMarketing]
    serializer_class = ExportSerializer
    queryset = ExportJob.objects.select_related("requested_by")


class ExportDownloadView(APIView):
    """The export's file, through its signed link (``download_url``), which expires after
    CRM_EXPORT_LINK_MINUTES. Every download is recorded."""

    permission_classes = [IsMarketing]

    @extend_schema(
        parameters=[OpenApiParameter("token", str, required=True)],
        responses={200: OpenApiResponse(description="The CSV file.")},
    )
    def get(self, request, pk: int):
        job = services.export_for_download(
            token=request.query_params.get("token", ""),
            job_id=pk,
            user=request.user,
            ip_address=client_ip(request),
        )
        name = job.file.name.rsplit("/", 1)[-1]
        response = FileResponse(job.file.open("rb"), as_attachment=True, filename=name)
        response["Content-Type"] = "text/csv; charset=utf-8"
        response["Coverdesk-Export-SHA256"] = job.sha256
        response["Cache-Control"] = "no-store"
        return response


class SmsInboundView(APIView):
    """Inbound text messages from the SMS provider (Twilio's webhook format and signature).
    A stop keyword (STOP, QUIT, END, REVOKE, OPT OUT, CANCEL, UNSUBSCRIBE) withdraws the
    sender's marketing SMS consent at once; the reply confirms it. Anything else is left to
    people. A request without a valid signature is 403 and changes nothing."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser]

    @extend_schema(
        request={"application/x-www-form-urlencoded": SmsInboundSerializer},
        responses={
            200: OpenApiResponse(description="TwiML: the reply, if any."),
            403: OpenApiResponse(description="No valid signature (code invalid_signature)."),
        },
    )
    def post(self, request):
        params = {key: request.data.get(key) for key in request.data}
        url = request.build_absolute_uri()
        if not consent.sms_signature_valid(
            url, params, request.headers.get("X-Twilio-Signature", "")
        ):
            raise PermissionDenied(
                "The signature of this message is not valid.", code="invalid_signature"
            )
        serializer = SmsInboundSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reply = ""
        if consent.is_stop(serializer.validated_data["Body"]):
            for customer in consent.customers_with_phone(serializer.validated_data["From"]):
                consent.withdraw(customer, "sms", source=ConsentSource.SMS_KEYWORD)
            reply = (
                "You are unsubscribed from Coverdesk marketing texts and will get no more. "
                "Texts about your claims are not affected."
            )
        body = (
            "<Response>" + (f"<Message>{escape(reply)}</Message>" if reply else "") + "</Response>"
        )
        return HttpResponse(
            f'<?xml version="1.0" encoding="UTF-8"?>{body}', content_type="text/xml"
        )
