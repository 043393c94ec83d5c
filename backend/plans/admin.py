from django.contrib import admin

from backend.plans.models import Administrator, MerchantPlan, Plan, PlanPrice, Provider


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
    inlines = (PlanPriceInline, MerchantPlanInline)


@admin.register(MerchantPlan)
class MerchantPlanAdmin(admin.ModelAdmin):
    list_display = ("merchant", "plan", "display_order", "is_active")
    list_filter = ("is_active", "merchant")
    search_fields = ("merchant__name", "plan__code", "plan__name")
    autocomplete_fields = ("merchant", "plan")
    list_select_related = ("merchant", "plan")
