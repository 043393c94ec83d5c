from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html

from backend.accounts.models import User
from backend.merchants.models import Merchant, MerchantAPIKey, MerchantInvite
from backend.merchants.selectors import invite_link
from backend.merchants.services import (
    merchant_api_key_create,
    merchant_api_key_revoke,
    merchant_invite_create,
    merchant_invite_revoke,
)


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


class MerchantInviteForm(forms.ModelForm):
    class Meta:
        model = MerchantInvite
        fields = ("merchant", "email")

    def clean_email(self):
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Someone already signs in with this e-mail address.")
        return email


@admin.register(MerchantInvite)
class MerchantInviteAdmin(admin.ModelAdmin):
    """Invite a merchant's admin: the link is e-mailed to them, and shown here once."""

    form = MerchantInviteForm

    list_display = ("email", "merchant", "state", "created_by", "created_at", "expires_at")
    list_filter = ("state", "merchant")
    search_fields = ("email", "merchant__name")
    readonly_fields = (
        "state",
        "expires_at",
        "created_by",
        "created_at",
        "accepted_by",
        "accepted_at",
        "revoked_at",
    )
    fields = ("merchant", "email", *readonly_fields)
    autocomplete_fields = ("merchant",)
    actions = ("revoke_selected",)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        invite = merchant_invite_create(
            merchant=obj.merchant, email=obj.email, created_by=request.user
        )
        obj.pk = invite.pk
        messages.info(
            request,
            format_html(
                "The invite is e-mailed to {}. Its link, usable once: <code>{}</code>",
                invite.email,
                invite_link(invite),
            ),
        )

    @admin.action(description="Withdraw selected invites")
    def revoke_selected(self, request, queryset):
        for invite in queryset:
            merchant_invite_revoke(invite=invite)
        self.message_user(request, f"Withdrew {queryset.count()} invite(s).")
