from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from backend.common import jurisdictions
from backend.common.languages import translation_choices
from backend.common.money import is_currency
from backend.plans.choices import Backing, Clawback, Coverage, CoverageStarts, ServiceType
from backend.plans.split import BASIS_POINTS, rates_for


class Party(models.Model):
    """Legal identity shared by providers (obligors) and administrators."""

    legal_name = models.CharField(max_length=200)
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True, help_text=_("State or province"))
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    toll_free_phone = models.CharField(max_length=40)
    email = models.EmailField(blank=True)
    # Per-jurisdiction registration or licence numbers, e.g. {"US-TX": "123"} (Tex. Occ. Code 1304).
    registration_numbers = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ("legal_name",)

    def __str__(self) -> str:
        return self.legal_name

    @property
    def mailing_address(self) -> str:
        lines = [
            self.address_line1,
            self.address_line2,
            " ".join(p for p in (self.postal_code, self.city) if p),
            self.region,
            self.country,
        ]
        return ", ".join(line for line in lines if line)

    def missing_disclosure_fields(self) -> list[str]:
        """Fields the contract documents must show, and which are still empty."""
        required = (
            "legal_name",
            "address_line1",
            "city",
            "postal_code",
            "country",
            "toll_free_phone",
        )
        return [name for name in required if not str(getattr(self, name) or "").strip()]


class Provider(Party):
    """The obligor: the company that owes the service under a plan."""

    backing = models.CharField(max_length=30, choices=Backing.choices)
    insurer_name = models.CharField(max_length=200, blank=True)
    insurer_address = models.CharField(max_length=300, blank=True)
    insurer_phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta(Party.Meta):
        pass

    def missing_disclosure_fields(self) -> list[str]:
        missing = super().missing_disclosure_fields()
        if self.backing == Backing.INSURED:
            # NY 7905(b): an insured plan names the insurer, its address and toll-free number.
            missing += [
                f
                for f in ("insurer_name", "insurer_address", "insurer_phone")
                if not getattr(self, f).strip()
            ]
        return missing

    def clean(self) -> None:
        missing = self.missing_disclosure_fields()
        if missing:
            raise ValidationError({f: _("Required for the contract disclosures.") for f in missing})


class Administrator(Party):
    """The company that administers plans (claims handling) for a provider."""

    class Meta(Party.Meta):
        pass


class Plan(models.Model):
    code = models.SlugField(unique=True, max_length=60)
    name = models.CharField(max_length=200)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="plans")
    administrator = models.ForeignKey(
        Administrator, null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    coverage = models.CharField(max_length=10, choices=Coverage.choices)
    term_months = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    service_type = models.CharField(max_length=20, choices=ServiceType.choices)
    waiting_period_days = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(365)]
    )
    coverage_starts = models.CharField(
        max_length=40, choices=CoverageStarts.choices, default=CoverageStarts.IMMEDIATE
    )
    eligible_categories = models.ManyToManyField("catalog.Category", related_name="plans")
    markets = models.JSONField(
        default=list,
        help_text=_("Where the plan is sold: US states (US-CA), countries (PL), US or EU for all."),
    )
    excluded_markets = models.JSONField(
        default=list, blank=True, help_text=_("Carved out of the markets, e.g. US-FL.")
    )
    # The legal template kind this plan's documents are rendered from (legal_templates/).
    terms_template = models.CharField(max_length=60, default="service_contract")
    summary = models.CharField(max_length=300, help_text=_("One-line coverage summary for offers."))
    covered = models.TextField(help_text=_("What is covered, in plain language."))
    exclusions = models.TextField(help_text=_("What is not covered, as clearly as the coverage."))
    # Days after the product purchase within which the plan can still be bought (leads).
    buying_window_days = models.PositiveSmallIntegerField(default=90)
    transferable = models.BooleanField(default=True)
    # The price's split (plans.split), in basis points of the price: what the selling
    # merchant keeps and Coverdesk's fee as administrator; the obligor's net premium is
    # the rest. A merchant's offering may override either.
    merchant_commission_bp = models.PositiveIntegerField(
        default=0, help_text=_("The merchant's commission, in basis points (2500 = 25%).")
    )
    administrator_fee_bp = models.PositiveIntegerField(
        default=0, help_text=_("The administrator's fee, in basis points of the price.")
    )
    # What a cancellation's refund takes back of the merchant's commission, within the
    # free look and after it (plans.split.clawback).
    clawback_in_free_look = models.CharField(
        max_length=10,
        choices=Clawback.choices,
        default=Clawback.FULL,
        help_text=_("The commission a refund in the free-look period takes back."),
    )
    clawback_after_free_look = models.CharField(
        max_length=10,
        choices=Clawback.choices,
        default=Clawback.PRO_RATA,
        help_text=_("The commission a refund after the free-look period takes back."),
    )
    # Claims incurred but not reported, estimated in the loss runs as this share of the
    # premium earned (basis points; 500 = 5%).
    ibnr_factor_bp = models.PositiveIntegerField(
        default=500,
        help_text=_("IBNR estimate: basis points of the premium earned (500 = 5%)."),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("code",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    merchant_commission_bp__lte=10_000 - models.F("administrator_fee_bp")
                ),
                name="plan_split_within_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        errors = {}
        for field in ("markets", "excluded_markets"):
            value = getattr(self, field)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[field] = _("A list of jurisdiction codes.")
                continue
            bad = [v for v in value if not jurisdictions.is_market_code(v)]
            if bad:
                errors[field] = _("Unknown jurisdiction codes: %(codes)s") % {
                    "codes": ", ".join(bad)
                }
            else:
                setattr(self, field, sorted({jurisdictions.normalise(v) for v in value}))
        if not errors.get("markets") and not self.markets:
            errors["markets"] = _("A plan must be sold somewhere.")
        if self.merchant_commission_bp + self.administrator_fee_bp > 10_000:
            errors["merchant_commission_bp"] = _(
                "The commission and the fee together exceed the price (10000 basis points)."
            )
        elif self.pk is not None:
            over = [
                str(o.merchant)
                for o in self.merchant_offerings.select_related("merchant")
                if rates_for(self, o).total_bp > BASIS_POINTS
            ]
            if over:
                errors["administrator_fee_bp"] = _(
                    "With their own commission this exceeds the price for: %(merchants)s."
                ) % {"merchants": ", ".join(over)}
        if errors:
            raise ValidationError(errors)


class PlanTranslation(models.Model):
    """A plan's catalogue text in a language other than the source one (its own fields).
    Every field is required: a language has the whole text or none (``plans.texts``)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(
        max_length=10,
        choices=translation_choices(),
    )
    name = models.CharField(max_length=200)
    summary = models.CharField(max_length=300)
    covered = models.TextField()
    exclusions = models.TextField()

    class Meta:
        ordering = ("plan_id", "language")
        constraints = [
            models.UniqueConstraint(fields=["plan", "language"], name="plantranslation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.language}"


class PlanPrice(models.Model):
    """A price band: a product priced inside [min, max] (inclusive) buys the plan at ``price``.

    The band also carries the deductible, the limit of liability and the cancellation fee,
    which scale with the product's price in this field. A null limit means "the product's
    purchase price".
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(max_length=3)
    product_price_min = models.PositiveBigIntegerField()
    product_price_max = models.PositiveBigIntegerField()
    price = models.PositiveBigIntegerField()
    deductible = models.PositiveBigIntegerField(default=0)
    limit_of_liability = models.PositiveBigIntegerField(null=True, blank=True)
    # Charged on a cancellation after the free look, capped by the jurisdiction's rules.
    cancellation_fee = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ("plan_id", "currency", "product_price_min")
        constraints = [
            models.CheckConstraint(
                condition=Q(product_price_min__lte=F("product_price_max")),
                name="planprice_band_ordered",
            ),
            models.UniqueConstraint(
                fields=["plan", "currency", "product_price_min"], name="planprice_unique_band_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.currency} {self.product_price_min}-{self.product_price_max}"

    def clean(self) -> None:
        if self.currency and not is_currency(self.currency):
            raise ValidationError({"currency": _("Unknown currency.")})
        if (
            self.product_price_min is not None
            and self.product_price_max is not None
            and self.product_price_min > self.product_price_max
        ):
            raise ValidationError({"product_price_max": _("Must not be below the minimum.")})
        if self.plan_id and self.currency and self.product_price_min is not None:
            overlapping = PlanPrice.objects.filter(
                plan_id=self.plan_id,
                currency=self.currency,
                product_price_min__lte=self.product_price_max,
                product_price_max__gte=self.product_price_min,
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(
                    _("This band overlaps another band of the same plan and currency.")
                )


class MerchantPlan(models.Model):
    """A plan a merchant offers at checkout, in its display order."""

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.CASCADE, related_name="plan_offerings"
    )
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="merchant_offerings")
    display_order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    # This merchant's own split of the plan's price, where it differs (plans.split).
    merchant_commission_bp = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Overrides the plan's commission, in basis points.")
    )
    administrator_fee_bp = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Overrides the plan's fee, in basis points.")
    )

    class Meta:
        ordering = ("merchant_id", "display_order", "plan_id")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "plan"], name="merchantplan_unique"),
            models.CheckConstraint(
                condition=(
                    models.Q(merchant_commission_bp__isnull=True)
                    | models.Q(merchant_commission_bp__lte=10_000)
                )
                & (
                    models.Q(administrator_fee_bp__isnull=True)
                    | models.Q(administrator_fee_bp__lte=10_000)
                ),
                name="merchantplan_split_rates_within_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} offers {self.plan_id}"

    def clean(self) -> None:
        if self.plan_id is None:
            return
        if rates_for(self.plan, self).total_bp > BASIS_POINTS:
            raise ValidationError(
                {
                    "merchant_commission_bp": _(
                        "With the plan's fee this exceeds the price (10000 basis points)."
                    )
                }
            )
