from django.contrib import admin

from backend.common.admin import ServiceWrittenAdmin
from backend.webhooks.models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "merchant", "is_active", "created_at")
    list_filter = ("is_active", "merchant")
    search_fields = ("url", "merchant__name")
    exclude = ("secret",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ServiceWrittenAdmin):
    list_display = (
        "event_id",
        "event_type",
        "endpoint",
        "state",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    )
    list_filter = ("state", "event_type")
    search_fields = ("event_id", "subject", "endpoint__url")
    list_select_related = ("endpoint",)
