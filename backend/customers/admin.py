from django.contrib import admin

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
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ("customer", "kind", "granted", "source", "created_at")
    list_filter = ("kind", "granted", "source")
    search_fields = ("customer__email",)
    list_select_related = ("customer",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in ConsentRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
