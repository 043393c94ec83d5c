from django.contrib import admin


class ServiceWrittenAdmin(admin.ModelAdmin):
    """For records only services write (contracts, payments, events, consents): the back
    office shows them whole and changes them only through actions that call a service."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]
