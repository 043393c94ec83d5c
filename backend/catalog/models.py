from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """The platform's product taxonomy. Plans list the categories they cover."""

    slug = models.SlugField(primary_key=True, max_length=50)
    name = models.CharField(max_length=100)
    # COMPLIANCE.md §5 (CA 1794.41): appliances and home electronics get a shorter free look.
    is_appliance_or_home_electronics = models.BooleanField(default=False)

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """An item in a merchant's catalogue, identified by the merchant's SKU."""

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.CASCADE, related_name="products"
    )
    sku = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    price = models.PositiveBigIntegerField(help_text=_("In minor units of the currency."))
    currency = models.CharField(max_length=3)
    manufacturer_warranty_months = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(0), MaxValueValidator(240)]
    )
    brand = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("merchant_id", "sku")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "sku"], name="product_unique_merchant_sku"),
        ]
        indexes = [models.Index(fields=["merchant", "category"])]

    def __str__(self) -> str:
        return f"{self.sku}: {self.title}"
