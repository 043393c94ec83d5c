from django.contrib import admin
from django.utils import timezone

from backend.common.admin import ServiceWrittenAdmin
from backend.payments.choices import RefundState
from backend.payments.models import Payment, Refund, StripeEvent
from backend.payments.tasks import refund_execute_task, stripe_event_process_task


@admin.register(Payment)
class PaymentAdmin(ServiceWrittenAdmin):
    list_display = (
        "stripe_payment_intent_id",
        "order",
        "amount",
        "currency",
        "state",
        "succeeded_at",
        "created_at",
    )
    list_filter = ("state", "currency")
    search_fields = (
        "stripe_payment_intent_id",
        "order__merchant_order_id",
        "order__customer__email",
    )
    list_select_related = ("order",)


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return (("yes", "Unpaid past the legal deadline"),)

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(state=RefundState.SUCCEEDED).filter(due_at__lt=timezone.now())
        return queryset


@admin.register(Refund)
class RefundAdmin(ServiceWrittenAdmin):
    list_display = (
        "contract",
        "amount",
        "currency",
        "state",
        "due_at",
        "penalty_accrued",
        "attempts",
        "failure_message",
    )
    list_filter = (OverdueFilter, "state", "currency")
    search_fields = ("contract__number", "stripe_refund_id")
    list_select_related = ("contract",)
    actions = ("retry_now",)

    @admin.action(description="Retry the refund now")
    def retry_now(self, request, queryset):
        for refund in queryset.exclude(state=RefundState.SUCCEEDED):
            refund_execute_task.delay(refund.pk)
        self.message_user(request, "Queued.")


@admin.register(StripeEvent)
class StripeEventAdmin(ServiceWrittenAdmin):
    list_display = ("event_id", "type", "status", "attempts", "received_at", "processed_at")
    list_filter = ("status", "type")
    search_fields = ("event_id",)
    actions = ("reprocess",)

    @admin.action(description="Process again (safe: processing is idempotent)")
    def reprocess(self, request, queryset):
        for event in queryset:
            stripe_event_process_task.delay(event.pk)
        self.message_user(request, "Queued.")
