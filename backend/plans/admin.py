from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from backend.plans.disclosure import plan_disclosure_gaps
from backend.plans.models import (
    Administrator,
    MerchantPlan,
    Plan,
    PlanPrice,
    PlanTranslation,
    Provider,
)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "backing", "country", "toll_free_phone", "is_active")
    list_filter = ("backing", "country", "is_active")
    search_fields = ("legal_name", "insurer_name", "email")


@admin.register(Administrator)
class AdministratorAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "country", "toll_free_phone")
    search_fields = ("legal_name", "email")


class PlanPriceInline(admin.TabularInline):
    model = PlanPrice
    extra = 0


class PlanTranslationInline(admin.StackedInline):
    """The plan's text in each other language. A pack whose binding language has none
    does not sell the plan ("Where it cannot be sold" says so)."""

    model = PlanTranslation
    extra = 0


class MerchantPlanInline(admin.TabularInline):
    model = MerchantPlan
    extra = 0
    autocomplete_fields = ("merchant",)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "provider",
        "coverage",
        "term_months",
        "service_type",
        "coverage_starts",
        "is_active",
    )
    list_filter = (
        "is_active",
        "coverage",
        "service_type",
        "coverage_starts",
        "provider",
        "eligible_categories",
    )
    search_fields = ("code", "name", "summary")
    filter_horizontal = ("eligible_categories",)
    autocomplete_fields = ("provider", "administrator")
    list_select_related = ("provider",)
    inlines = (PlanTranslationInline, PlanPriceInline, MerchantPlanInline)
    readonly_fields = ("where_it_cannot_be_sold",)

    @admin.display(description="Where it cannot be sold")
    def where_it_cannot_be_sold(self, plan):
        """Jurisdictions whose documents the provider or administrator data cannot fill, or
        whose binding language the plan has no text in: offers there leave the plan out
        until this is fixed."""
        if plan.pk is None:
            return "-"
        gaps = plan_disclosure_gaps(plan)
        if not gaps:
            return "Everywhere its markets allow."
        return format_html_join(
            mark_safe("<br>"),
            "<strong>{}</strong>: {}",
            ((c, "; ".join(g)) for c, g in gaps.items()),
        )


@admin.register(MerchantPlan)
class MerchantPlanAdmin(admin.ModelAdmin):
    list_display = ("merchant", "plan", "display_order", "is_active")
    list_filter = ("is_active", "merchant")
    search_fields = ("merchant__name", "plan__code", "plan__name")
    autocomplete_fields = ("merchant", "plan")
    list_select_related = ("merchant", "plan")
