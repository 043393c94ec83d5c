from django.contrib import admin

from backend.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("key", "recipient", "subject", "language", "sent_at", "error")
    list_filter = ("channel", "language")
    search_fields = ("key", "recipient", "subject")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False
