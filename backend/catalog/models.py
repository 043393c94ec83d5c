from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.common.languages import translation_choices


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


class WarrantyDesignation(models.TextChoices):
    FULL = "full", _("Full")
    LIMITED = "limited", _("Limited")


class WrittenWarranty(models.Model):
    """A merchant's own written warranty on its products (Magnuson-Moss; 16 CFR 701.3).

    Unlike a protection plan, it comes with the product at no extra price. Its terms are
    edited here; every change that alters them bumps ``revision``, and each revision's
    documents are issued once and never change (``documents.Document``). Whether it may be
    designated *Full* follows from its terms (``backend.catalog.warranties``).
    """

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.CASCADE, related_name="written_warranties"
    )
    code = models.SlugField(max_length=50)
    designation = models.CharField(
        max_length=10, choices=WarrantyDesignation.choices, default=WarrantyDesignation.LIMITED
    )
    categories = models.ManyToManyField(
        Category,
        blank=True,
        related_name="written_warranties",
        help_text=_("The products it covers by category; none means all the merchant's products."),
    )
    duration_months = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    coverage_starts = models.CharField(
        max_length=300, blank=True, help_text=_("When coverage starts, if not on purchase.")
    )
    first_buyer_only = models.BooleanField(
        default=False, help_text=_("Coverage ends when the product changes hands.")
    )
    covered = models.TextField(help_text=_("What is covered: parts, defects, products."))
    excluded = models.TextField(help_text=_("What is not covered."))
    will_do = models.TextField(help_text=_("What the warrantor will do or pay for."))
    will_not_do = models.TextField(help_text=_("What the warrantor will not do or pay for."))
    remedy_days = models.PositiveSmallIntegerField(
        default=30, help_text=_("The remedy is given within this many days of the claim.")
    )
    remedy_free_of_charge = models.BooleanField(
        default=True,
        help_text=_("Parts, labour and shipping of the remedy cost the buyer nothing."),
    )
    refund_or_replace_after_attempts = models.BooleanField(
        default=False,
        help_text=_(
            "After a reasonable number of failed repairs, the buyer may choose a refund or a "
            "replacement free of charge."
        ),
    )
    implied_warranty_limit_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Limit implied warranties to this many months (blank: no limit)."),
    )
    excludes_consequential_damages = models.BooleanField(default=False)
    buyer_duties = models.TextField(
        blank=True,
        help_text=_(
            "Anything beyond telling the warrantor of the defect that the buyer must do to get "
            "the remedy (e.g. return a registration card)."
        ),
    )
    required_brand = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("A brand of parts or service the buyer must use to keep the warranty."),
    )
    required_brand_free = models.BooleanField(
        default=False, help_text=_("That brand's parts or service are given free of charge.")
    )
    claim_steps = models.TextField(help_text=_("How to make a claim, one step per line."))
    warrantor_name = models.CharField(max_length=200)
    warrantor_address = models.TextField(help_text=_("A mailing address for claims."))
    warrantor_contact = models.CharField(
        max_length=200, help_text=_("The department or toll-free number that takes claims.")
    )
    dispute_name = models.CharField(
        max_length=200, blank=True, help_text=_("An informal dispute mechanism (16 CFR 703).")
    )
    dispute_contact = models.CharField(max_length=300, blank=True)
    dispute_required_first = models.BooleanField(
        default=False, help_text=_("The buyer must use the mechanism before going to court.")
    )
    is_active = models.BooleanField(default=True)
    revision = models.PositiveIntegerField(default=0, editable=False)
    terms_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("merchant_id", "code")
        verbose_name_plural = "written warranties"
        constraints = [
            models.UniqueConstraint(fields=["merchant", "code"], name="warranty_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.merchant} {self.code}"


# The warranty's own words, which a translation restates; the rest of its terms are data.
WARRANTY_TEXT_FIELDS = (
    "coverage_starts",
    "covered",
    "excluded",
    "will_do",
    "will_not_do",
    "buyer_duties",
    "claim_steps",
)


class WrittenWarrantyTranslation(models.Model):
    """A written warranty's own words in a language other than the source one. It must
    restate every one the warranty has (``clean``): its documents and page are issued in a
    language only when it does (``catalog.warranties.warranty_languages``)."""

    warranty = models.ForeignKey(
        WrittenWarranty, on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(
        max_length=10,
        choices=translation_choices(),
    )
    coverage_starts = models.CharField(max_length=300, blank=True)
    covered = models.TextField()
    excluded = models.TextField()
    will_do = models.TextField()
    will_not_do = models.TextField()
    buyer_duties = models.TextField(blank=True)
    claim_steps = models.TextField(help_text=_("One step per line, as in the warranty."))

    class Meta:
        ordering = ("warranty_id", "language")
        constraints = [
            models.UniqueConstraint(
                fields=["warranty", "language"], name="warrantytranslation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.warranty_id} {self.language}"

    def clean(self) -> None:
        if self.warranty_id is None:
            return
        missing = {
            name: _("The warranty says this; its translation must too.")
            for name in WARRANTY_TEXT_FIELDS
            if getattr(self.warranty, name).strip() and not getattr(self, name).strip()
        }
        if missing:
            raise ValidationError(missing)
