from django.contrib import admin, messages

from backend.events import delivery
from backend.events.models import Delivery, DeliveryState, Event


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    readonly_fields = (
        "subscriber",
        "state",
        "attempts",
        "next_attempt_at",
        "finished_at",
        "last_error",
    )
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Domain events, kept for EVENTS_RETENTION_DAYS once every delivery is done."""

    list_display = ("id", "name", "aggregate", "aggregate_id", "occurred_at", "relayed_at")
    list_filter = ("name", "aggregate")
    search_fields = ("aggregate_id",)
    readonly_fields = ("name", "aggregate", "aggregate_id", "payload", "occurred_at", "relayed_at")
    inlines = (DeliveryInline,)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Each event as each subscriber got it. Filter by state to see what is undelivered or
    failed; "Retry" puts the chosen deliveries back in line at once."""

    list_display = ("id", "event", "subscriber", "state", "attempts", "next_attempt_at")
    list_filter = ("state", "subscriber")
    search_fields = ("event__aggregate_id", "event__name")
    list_select_related = ("event",)
    readonly_fields = (
        "event",
        "subscriber",
        "state",
        "attempts",
        "started_at",
        "next_attempt_at",
        "finished_at",
        "last_error",
    )
    actions = ("retry",)

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Retry the selected deliveries now")
    def retry(self, request, queryset):
        chosen = list(queryset.exclude(state=DeliveryState.DONE).values_list("pk", flat=True))
        count = delivery.retry(chosen)
        self.message_user(
            request,
            f"{count} deliveries are back in line; the sweep sends them within seconds.",
            messages.SUCCESS,
        )
