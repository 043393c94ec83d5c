"""Staff's admin of orders and contracts. It lives in checkout, the room above contracts
and payments, because its actions run checkout's flows: cancelling from the admin refunds
the holder exactly as the portal and the merchant API do."""

from django.contrib import admin, messages

from backend.checkout.cancellation import contract_cancel
from backend.common.actors import Actor, ActorKind
from backend.common.admin import ServiceWrittenAdmin
from backend.common.exceptions import ApplicationError
from backend.contracts.choices import CancellationReason
from backend.contracts.models import Contract, ContractEvent, Order, OrderLine
from backend.contracts.services import contract_void


class ContractEventInline(admin.TabularInline):
    model = ContractEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "name", "from_state", "to_state", "actor_kind", "actor_label", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(ServiceWrittenAdmin):
    list_display = (
        "number",
        "state",
        "customer",
        "merchant",
        "plan",
        "price",
        "currency",
        "jurisdiction",
        "coverage_start",
        "coverage_end",
        "flagged_for_desk",
    )
    list_filter = ("state", "flagged_for_desk", "merchant", "jurisdiction", "currency", "plan")
    search_fields = ("number", "customer__email", "order_line__order__merchant_order_id")
    list_select_related = ("customer", "merchant", "plan")
    inlines = (ContractEventInline,)
    actions = ("cancel_with_refund", "void_and_flag")

    def _each(self, request, queryset, label, fn):
        done = 0
        actor = Actor.person(ActorKind.STAFF, request.user)
        for contract in queryset:
            try:
                fn(contract, actor)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{contract.number}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, f"{label}: {done} contract(s).")

    @admin.action(description="Cancel and refund (per the jurisdiction's rules)")
    def cancel_with_refund(self, request, queryset):
        self._each(
            request,
            queryset,
            "Cancelled",
            lambda c, actor: contract_cancel(
                contract_id=c.pk, actor=actor, reason=CancellationReason.STAFF
            ),
        )

    @admin.action(description="Void and flag for the desk (fraud)")
    def void_and_flag(self, request, queryset):
        self._each(
            request,
            queryset,
            "Voided",
            lambda c, actor: contract_void(
                contract_id=c.pk, actor=actor, reason=f"Voided by {request.user} in the back office"
            ),
        )


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = ("position", "plan", "product", "quantity", "unit_price", "currency")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(ServiceWrittenAdmin):
    list_display = (
        "merchant_order_id",
        "merchant",
        "customer",
        "total",
        "currency",
        "jurisdiction",
        "purchased_at",
    )
    list_filter = ("merchant", "currency", "jurisdiction")
    search_fields = ("merchant_order_id", "customer__email")
    list_select_related = ("merchant", "customer")
    inlines = (OrderLineInline,)
