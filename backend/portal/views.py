from django.http import FileResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.checkout.api.serializers import CancelOutputSerializer
from backend.checkout.cancellation import contract_cancel
from backend.checkout.transfer import contract_transfer
from backend.common.actors import Actor, ActorKind
from backend.common.api.csrf import enforce_csrf
from backend.common.api.fields import StrictCharField
from backend.common.api.sessions import end_session
from backend.common.api.throttling import AddressScopedRateThrottle
from backend.common.exceptions import NotFound
from backend.common.isoformat import iso_datetime
from backend.common.queries import unique_or_none
from backend.contracts.api.serializers import ContractSerializer, RefundQuoteSerializer
from backend.contracts.choices import CancellationReason
from backend.contracts.models import Contract
from backend.contracts.selectors import contract_get, contract_list, contract_refund_quote
from backend.customers.permissions import IsShopper, request_customer
from backend.documents.choices import DocumentKind, DocumentState
from backend.documents.services import paper_copy_request
from backend.plans.texts import snapshot_in
from backend.portal.services import login_link_consume, login_link_request, shopper_sign_in


class CustomerSerializer(serializers.Serializer):
    email = serializers.EmailField()
    first_name = StrictCharField()
    last_name = StrictCharField()
    locale = StrictCharField()
    jurisdiction = StrictCharField()


class PortalDocumentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    language = StrictCharField()
    binding = serializers.BooleanField(help_text="Whether this language is legally binding.")
    sha256 = StrictCharField()
    issued_at = serializers.DateTimeField()
    url = StrictCharField(help_text="Download the PDF (signed-in holder only).")


class PortalContractSerializer(ContractSerializer):
    merchant = StrictCharField(source="merchant.name")
    provider = StrictCharField(source="plan_snapshot.provider.legal_name")
    provider_phone = StrictCharField(source="plan_snapshot.provider.toll_free_phone")
    transferable = serializers.BooleanField(source="plan_snapshot.transferable")
    refund = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta(ContractSerializer.Meta):
        fields = (
            *ContractSerializer.Meta.fields,
            "merchant",
            "provider",
            "provider_phone",
            "transferable",
            "refund",
            "documents",
        )

    def to_representation(self, contract) -> dict:
        provider = contract.plan_snapshot["provider"]
        language = getattr(self.context.get("request"), "LANGUAGE_CODE", None) or "en"
        return {
            **super().to_representation(contract),
            # The holder reads the plan's name in the portal's language, where it has one.
            "plan_name": snapshot_in(contract.plan_snapshot, language)["name"],
            "merchant": contract.merchant.name,
            "provider": provider["legal_name"],
            "provider_phone": provider["toll_free_phone"],
            "transferable": contract.plan_snapshot["transferable"],
            "refund": self.get_refund(contract),
            "documents": self.get_documents(contract),
        }

    @extend_schema_field(PortalDocumentSerializer(many=True))
    def get_documents(self, contract) -> list[dict]:
        return [
            {
                "kind": document.kind,
                "language": document.language,
                "binding": document.binding,
                "sha256": document.sha256,
                "issued_at": iso_datetime(document.issued_at),
                "url": reverse(
                    "portal-document",
                    kwargs={
                        "number": contract.number,
                        "kind": document.kind,
                        "language": document.language,
                    },
                ),
            }
            for document in contract.documents.all()
            if document.state == DocumentState.ISSUED
        ]

    def get_refund(self, contract) -> dict | None:
        refund = getattr(contract, "refund", None)
        if refund is None:
            return None
        return {
            "state": refund.state,
            "amount": refund.amount,
            "currency": refund.currency,
            "total_display": refund.quote.get("total_display", ""),
        }


class LoginLinkRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()


class SessionRequestSerializer(serializers.Serializer):
    token = StrictCharField(max_length=200)


class LoginLinkView(APIView):
    """E-mail a one-time sign-in link. Always 202, whether or not the address is known."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressScopedRateThrottle]
    throttle_scope = "portal_login"

    @extend_schema(request=LoginLinkRequestSerializer, responses={202: None})
    def post(self, request):
        params = LoginLinkRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        login_link_request(
            email=params.validated_data["email"],
            portal_url=request.build_absolute_uri(reverse("portal")),
        )
        return Response(
            {"detail": _("If we know this address, a sign-in link is on its way.")},
            status=status.HTTP_202_ACCEPTED,
        )


@method_decorator(ensure_csrf_cookie, name="get")
class SessionView(APIView):
    """GET: who is signed in (and a CSRF cookie). POST {token}: sign in. DELETE: sign out."""

    permission_classes = [AllowAny]

    @extend_schema(responses=CustomerSerializer)
    def get(self, request):
        customer = request_customer(request)
        if customer is None:
            return Response(
                {"code": "not_authenticated", "message": IsShopper.message, "fields": {}},
                status=status.HTTP_401_UNAUTHORIZED,
            )
        return Response(CustomerSerializer(customer).data)

    @extend_schema(request=SessionRequestSerializer, responses=CustomerSerializer)
    def post(self, request):
        enforce_csrf(request)
        params = SessionRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        customer = login_link_consume(token=params.validated_data["token"])
        shopper_sign_in(request=request, customer=customer)
        return Response(CustomerSerializer(customer).data)

    @extend_schema(responses={204: None})
    def delete(self, request):
        end_session(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PortalContractListView(generics.ListAPIView):
    permission_classes = [IsShopper]
    serializer_class = PortalContractSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contract.objects.none()
        return (
            contract_list(customer=request_customer(self.request))
            .select_related("merchant")
            .prefetch_related("documents")
        )


class PortalRefundQuoteView(APIView):
    permission_classes = [IsShopper]

    @extend_schema(responses=RefundQuoteSerializer)
    def get(self, request, number: str):
        contract = contract_get(number=number, customer=request_customer(request))
        quote = contract_refund_quote(contract=contract, reason=CancellationReason.CUSTOMER_REQUEST)
        return Response(quote.as_dict(request.LANGUAGE_CODE))


class PortalCancelView(APIView):
    permission_classes = [IsShopper]

    @extend_schema(request=None, responses=CancelOutputSerializer)
    def post(self, request, number: str):
        contract = contract_get(number=number, customer=request_customer(request))
        contract, refund = contract_cancel(
            contract_id=contract.pk,
            actor=Actor.person(ActorKind.SHOPPER, request.user),
            reason=CancellationReason.CUSTOMER_REQUEST,
        )
        return Response(CancelOutputSerializer({"contract": contract, "refund": refund}).data)


class TransferSerializer(serializers.Serializer):
    email = serializers.EmailField()
    first_name = StrictCharField(max_length=100, required=False, allow_blank=True)
    last_name = StrictCharField(max_length=100, required=False, allow_blank=True)


class PortalTransferView(APIView):
    permission_classes = [IsShopper]

    @extend_schema(request=TransferSerializer, responses=ContractSerializer)
    def post(self, request, number: str):
        contract = contract_get(number=number, customer=request_customer(request))
        params = TransferSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        contract = contract_transfer(
            contract_id=contract.pk,
            actor=Actor.person(ActorKind.SHOPPER, request.user),
            new_owner=dict(params.validated_data),
            reason=_("Transferred by the owner"),
        )
        return Response(ContractSerializer(contract).data)


class PortalDocumentView(APIView):
    """Download one of your contract's issued documents as a PDF."""

    permission_classes = [IsShopper]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, number: str, kind: str, language: str):
        contract = contract_get(number=number, customer=request_customer(request))
        document = unique_or_none(
            contract.documents.filter(kind=kind, language=language, state=DocumentState.ISSUED)
        )
        if document is None:
            raise NotFound(_("This document has not been issued."), code="document_not_found")
        response = FileResponse(
            document.file.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"{contract.number}-{kind}-{language}.pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Coverdesk-Document-SHA256"] = document.sha256
        return response


class PaperCopyInputSerializer(serializers.Serializer):
    mailing_address = StrictCharField(max_length=500)


class PaperCopyOutputSerializer(serializers.Serializer):
    state = StrictCharField()
    requested_at = serializers.DateTimeField()
    due_on = serializers.DateField(help_text="The date by which it is posted to you.")


class PortalPaperCopyView(APIView):
    """Ask for your contract on paper, free of charge; we post it by the date returned."""

    permission_classes = [IsShopper]

    @extend_schema(request=PaperCopyInputSerializer, responses={201: PaperCopyOutputSerializer})
    def post(self, request, number: str):
        contract = contract_get(number=number, customer=request_customer(request))
        params = PaperCopyInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        paper = paper_copy_request(
            contract=contract,
            mailing_address=params.validated_data["mailing_address"],
            actor=Actor.person(ActorKind.SHOPPER, request.user),
        )
        return Response(PaperCopyOutputSerializer(paper).data, status=status.HTTP_201_CREATED)
