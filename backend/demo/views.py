"""The demo store: a pretend merchant site that embeds the checkout widget."""

from django.http import Http404
from django.shortcuts import render

from backend.catalog.models import Product
from backend.common.csp import stripe_checkout
from backend.merchants.models import Merchant


@stripe_checkout
def demo_store(request, slug: str = "voltmart"):
    merchant = Merchant.objects.filter(slug=slug, is_active=True).first()
    if merchant is None:
        raise Http404("The demo data is not loaded: run manage.py seed_demo")
    products = (
        Product.objects.filter(merchant=merchant, is_active=True)
        .select_related("category")
        .order_by("category_id", "sku")
    )
    picked, seen = [], {}
    for product in products:  # a few of each category, for a browsable page
        if seen.get(product.category_id, 0) < 2:
            picked.append(product)
            seen[product.category_id] = seen.get(product.category_id, 0) + 1
    return render(request, "demo/store.html", {"merchant": merchant, "products": picked})
