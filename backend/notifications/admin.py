from django.contrib import admin

from backend.common.admin import ServiceWrittenAdmin
from backend.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ServiceWrittenAdmin):
    list_display = ("key", "recipient", "subject", "language", "sent_at", "error")
    list_filter = ("channel", "language")
    search_fields = ("key", "recipient", "subject")
