from django.contrib import admin

from backend.common.admin import ServiceWrittenAdmin
from backend.connectors.shopify.models import Shop, ShopOrder, Webhook
from backend.connectors.shopify.tasks import webhook_process_task


@admin.register(Shop)
class ShopAdmin(ServiceWrittenAdmin):
    list_display = ("domain", "merchant", "state", "installed_at", "uninstalled_at")
    list_filter = ("state",)
    search_fields = ("domain", "merchant__name")
    exclude = ("access_token",)  # encrypted, and no one's to read


@admin.register(Webhook)
class WebhookAdmin(ServiceWrittenAdmin):
    list_display = ("webhook_id", "topic", "domain", "status", "attempts", "received_at")
    list_filter = ("status", "topic")
    search_fields = ("webhook_id", "domain")
    actions = ("reprocess",)

    @admin.action(description="Process again (safe: a webhook is applied once)")
    def reprocess(self, request, queryset):
        for webhook in queryset:
            webhook_process_task.delay(webhook.pk)
        self.message_user(request, "Queued.")


@admin.register(ShopOrder)
class ShopOrderAdmin(ServiceWrittenAdmin):
    list_display = ("shopify_order_id", "shop", "order", "created_at")
    search_fields = ("shopify_order_id", "order__merchant_order_id")
    list_select_related = ("shop", "order")
