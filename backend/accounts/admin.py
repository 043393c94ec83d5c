from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from backend.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "merchant", "is_staff")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "merchant")
    search_fields = ("username", "email", "first_name", "last_name")
    autocomplete_fields = ("merchant",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Coverdesk", {"fields": ("merchant", "locale")}),
    )
