from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from backend.catalog import warranties
from backend.catalog.models import Category, Product, WrittenWarranty, WrittenWarrantyTranslation


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "is_appliance_or_home_electronics")
    search_fields = ("slug", "name")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "title", "merchant", "category", "price", "currency", "is_active")
    list_filter = ("is_active", "merchant", "category", "currency")
    search_fields = ("sku", "title", "brand")
    autocomplete_fields = ("merchant", "category")
    list_select_related = ("merchant", "category")
    readonly_fields = ("created_at", "updated_at")


class WrittenWarrantyForm(forms.ModelForm):
    class Meta:
        model = WrittenWarranty
        fields = ("merchant", "code", "categories", *warranties.TERM_FIELDS, "is_active")

    def clean(self):
        cleaned = super().clean()
        if all(name in cleaned for name in warranties.TERM_FIELDS):
            problems = warranties.warranty_problems(cleaned)
            if problems:
                raise forms.ValidationError(problems)
        return cleaned


class WrittenWarrantyTranslationInline(admin.StackedInline):
    """The warranty's own words in another language: its documents and page in that
    language are issued once a translation restates every one of them."""

    model = WrittenWarrantyTranslation
    extra = 0


@admin.register(WrittenWarranty)
class WrittenWarrantyAdmin(admin.ModelAdmin):
    """Merchants' own warranties. Saving a change to the terms starts a new revision and
    issues its documents; the form refuses a Full designation the terms do not earn."""

    form = WrittenWarrantyForm
    list_display = ("code", "merchant", "designation", "duration_months", "revision", "is_active")
    list_filter = ("designation", "is_active", "merchant")
    search_fields = ("code", "merchant__name", "warrantor_name")
    autocomplete_fields = ("merchant",)
    filter_horizontal = ("categories",)
    list_select_related = ("merchant",)
    readonly_fields = ("revision", "public_page", "documents_of_this_revision")
    inlines = (WrittenWarrantyTranslationInline,)

    @admin.display(description="Public page (pre-sale)")
    def public_page(self, warranty):
        if not warranty.pk:
            return "-"
        url = reverse("written-warranty", args=[warranty.merchant.slug, warranty.code])
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description="Documents of this revision")
    def documents_of_this_revision(self, warranty):
        documents = warranty.documents.filter(warranty_revision=warranty.revision)
        if not documents:
            return "-"
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{} {}</a>',
            (
                (reverse("admin:documents_document_change", args=[d.pk]), d.language, d.state)
                for d in documents
            ),
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if warranties.warranty_publish(form.instance):
            self.message_user(
                request,
                f"Revision {form.instance.revision} of {form.instance.code}: its documents "
                "are being issued.",
            )
