from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html

from backend.merchants.models import Merchant, MerchantAPIKey
from backend.merchants.services import merchant_api_key_create, merchant_api_key_revoke


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "country", "default_currency", "revenue_share_bps", "is_active")
    list_filter = ("is_active", "country", "default_currency")
    search_fields = ("name", "slug", "support_email")
    prepopulated_fields = {"slug": ("name",)}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(MerchantAPIKey)
class MerchantAPIKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "merchant", "created", "last_used_at", "revoked")
    list_filter = ("revoked", "merchant")
    search_fields = ("name", "prefix", "merchant__name")
    readonly_fields = ("prefix", "created", "last_used_at", "revoked", "revoked_at")
    fields = ("merchant", "name", "expiry_date", *readonly_fields)
    autocomplete_fields = ("merchant",)
    actions = ("revoke_selected",)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        api_key, key = merchant_api_key_create(merchant=obj.merchant, name=obj.name)
        obj.pk, obj.prefix = api_key.pk, api_key.prefix
        if obj.expiry_date:
            api_key.expiry_date = obj.expiry_date
            api_key.save(update_fields=["expiry_date"])
        messages.warning(
            request,
            format_html(
                "The API key is <code>{}</code>. Copy it now: it is never shown again.", key
            ),
        )

    @admin.action(description="Revoke selected keys")
    def revoke_selected(self, request, queryset):
        for api_key in queryset:
            merchant_api_key_revoke(api_key=api_key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).")
