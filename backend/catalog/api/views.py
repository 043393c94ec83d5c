from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.catalog.api.serializers import (
    BulkUpsertResultSerializer,
    CategorySerializer,
    ProductBulkUpsertSerializer,
    ProductOutputSerializer,
    ProductPutSerializer,
    ProductUpsertSerializer,
    WrittenWarrantySerializer,
)
from backend.catalog.models import Category, WrittenWarranty
from backend.catalog.selectors import category_slugs, product_get, product_list
from backend.catalog.services import product_bulk_upsert
from backend.common.exceptions import ValidationFailed
from backend.merchants.api.permissions import IsMerchant, request_merchant


class CategoryListView(generics.ListAPIView):
    """The platform's product categories, which plans and products refer to by slug."""

    serializer_class = CategorySerializer
    queryset = Category.objects.all()


class ProductListView(generics.ListAPIView):
    """The caller's products, filterable by category and active flag."""

    permission_classes = [IsMerchant]
    serializer_class = ProductOutputSerializer
    filterset_fields = ("category", "is_active", "currency")

    def get_queryset(self):
        return product_list(merchant=request_merchant(self.request))


def _validate_rows(rows: list[dict]) -> list[dict]:
    """Validate every row; on any error raise one 400 listing each bad row, write nothing."""
    serializer = ProductUpsertSerializer(
        data=rows, many=True, context={"category_slugs": category_slugs()}
    )
    errors: dict[int, dict] = {}
    if not serializer.is_valid():
        # DRF gives {index: errors} for the bad rows (older releases: a list aligned to rows).
        raw = serializer.errors
        pairs = raw.items() if isinstance(raw, dict) else enumerate(raw)
        errors = {int(i): dict(e) for i, e in pairs if e}
    first_row_of: dict[str, int] = {}
    for i, row in enumerate(rows):
        sku = row.get("sku")
        if not isinstance(sku, str):
            continue
        if sku in first_row_of:
            message = _("Duplicate SKU: row %(row)d has it too.") % {"row": first_row_of[sku]}
            errors.setdefault(i, {}).setdefault("sku", []).append(message)
        else:
            first_row_of[sku] = i
    if errors:
        raise ValidationFailed(
            _("%(bad)d of %(total)d rows are invalid; nothing was written.")
            % {"bad": len(errors), "total": len(rows)},
            code="invalid_rows",
            fields={"products": {str(i): e for i, e in sorted(errors.items())}},
            extra={
                "rows": [
                    {"index": i, "sku": rows[i].get("sku"), "errors": e}
                    for i, e in sorted(errors.items())
                ]
            },
        )
    return serializer.validated_data


class ProductBulkUpsertView(APIView):
    """Create or update up to 1,000 products by SKU in one all-or-nothing request.

    If any row is invalid, nothing is written and the 400 response lists every bad row
    (``rows[].index``, ``rows[].sku``, ``rows[].errors``). Resending is safe.
    """

    permission_classes = [IsMerchant]

    @extend_schema(
        request=ProductBulkUpsertSerializer,
        responses={200: BulkUpsertResultSerializer, 400: OpenApiResponse(description="Bad rows")},
    )
    def post(self, request):
        envelope = ProductBulkUpsertSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        rows = _validate_rows(envelope.validated_data["products"])
        result = product_bulk_upsert(merchant=request_merchant(request), rows=rows)
        body = {
            "created": len(result.created),
            "updated": len(result.updated),
            "created_skus": result.created,
            "updated_skus": result.updated,
        }
        return Response(BulkUpsertResultSerializer(body).data)


class ProductDetailView(APIView):
    """Read one product by SKU, or create/replace it with PUT (idempotent)."""

    permission_classes = [IsMerchant]

    @extend_schema(responses=ProductOutputSerializer)
    def get(self, request, sku: str):
        product = product_get(merchant=request_merchant(request), sku=sku)
        return Response(ProductOutputSerializer(product).data)

    @extend_schema(
        request=ProductPutSerializer,
        responses={200: ProductOutputSerializer, 201: ProductOutputSerializer},
    )
    def put(self, request, sku: str):
        if not isinstance(request.data, dict):
            raise ValidationFailed(_("Send the product as a JSON object."), code="invalid_body")
        rows = _validate_rows([{**request.data, "sku": sku}])
        merchant = request_merchant(request)
        result = product_bulk_upsert(merchant=merchant, rows=rows)
        product = product_get(merchant=merchant, sku=sku)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(ProductOutputSerializer(product).data, status=code)


class WrittenWarrantyListView(generics.ListAPIView):
    """The caller's written warranties. Link each product page to its warranty's
    ``page_url`` before the sale; staff edit the terms in the admin."""

    permission_classes = [IsMerchant]
    serializer_class = WrittenWarrantySerializer

    def get_queryset(self):
        return (
            WrittenWarranty.objects.filter(merchant=request_merchant(self.request))
            .select_related("merchant")
            .prefetch_related("categories", "documents")
        )
