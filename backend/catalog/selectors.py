from backend.catalog.models import Category, Product
from backend.common.exceptions import NotFound


def product_list(*, merchant):
    return Product.objects.filter(merchant=merchant).select_related("category")


def product_get(*, merchant, sku: str) -> Product:
    """A product of this merchant. Another merchant's SKU is simply not found."""
    try:
        return Product.objects.select_related("category").get(merchant=merchant, sku=sku)
    except Product.DoesNotExist:
        raise NotFound(f"No product with SKU {sku!r}.", code="product_not_found") from None


def category_slugs() -> frozenset[str]:
    return frozenset(Category.objects.values_list("slug", flat=True))
