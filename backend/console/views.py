"""The merchant console's widget preview: the merchant's real widget, with its own
publishable key, on products of its own catalogue, framed by the console."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from backend.common.csp import framed_by_self
from backend.common.money import format_minor
from backend.console.selectors import preview_products
from backend.merchants.api.permissions import is_merchant_admin


@require_GET
@xframe_options_sameorigin
@framed_by_self
def widget_preview(request):
    if not is_merchant_admin(request.user):
        raise Http404("Sign in to the merchant console to preview your widget.")
    merchant = request.user.merchant
    products = preview_products(merchant)
    wanted = request.GET.get("sku")
    product = next((p for p in products if p.sku == wanted), products[0] if products else None)
    price = format_minor(product.price, product.currency, get_language()) if product else ""
    return render(
        request,
        "console/widget_preview.html",
        {"merchant": merchant, "product": product, "products": products, "price": price},
    )
