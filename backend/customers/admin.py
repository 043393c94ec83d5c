from django.contrib import admin

from backend.common.admin import ServiceWrittenAdmin
from backend.customers.models import ConsentRecord, Customer


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "granted", "source", "text_version", "document_sha256")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("email", "first_name", "last_name", "jurisdiction", "locale", "created_at")
    list_filter = ("jurisdiction", "locale")
    search_fields = ("email", "first_name", "last_name", "phone")
    inlines = (ConsentInline,)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ServiceWrittenAdmin):
    list_display = ("customer", "kind", "granted", "source", "created_at")
    list_filter = ("kind", "granted", "source")
    search_fields = ("customer__email",)
    list_select_related = ("customer",)

    def has_change_permission(self, request, obj=None):
        return False
