from django import forms
from django.contrib import admin

from backend.claims.models import (
    CannedResponse,
    Claim,
    ClaimEvent,
    ClaimMessage,
    DeskProfile,
    DeskQueue,
    RepairPartner,
    SlaPolicy,
)
from backend.claims.queues import validate_filters
from backend.common.admin import ServiceWrittenAdmin
from backend.common.exceptions import ApplicationError


class ClaimEventInline(admin.TabularInline):
    model = ClaimEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "name", "from_state", "to_state", "actor_label", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ClaimMessageInline(admin.TabularInline):
    model = ClaimMessage
    extra = 0
    can_delete = False
    fields = ("created_at", "author_kind", "author_name", "internal", "body")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(ServiceWrittenAdmin):
    """Claims as the desk leaves them (they are worked in /desk/, through the services)."""

    list_display = ("number", "state", "priority", "reason", "merchant", "assignee", "created_at")
    list_filter = ("state", "reason", "priority", "merchant")
    search_fields = ("number", "contract__number", "customer__email", "serial_number")
    list_select_related = ("merchant", "assignee")
    inlines = (ClaimMessageInline, ClaimEventInline)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    """Targets per plan or per merchant; the plan's wins. Without one: settings' default."""

    list_display = ("__str__", "plan", "merchant", "first_response_hours", "decision_hours")
    autocomplete_fields = ("plan", "merchant")
    search_fields = ("plan__code", "merchant__name")


@admin.register(RepairPartner)
class RepairPartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "email")


class DeskQueueForm(forms.ModelForm):
    class Meta:
        model = DeskQueue
        fields = ("name", "position", "filters")

    def clean_filters(self):

        try:
            return validate_filters(self.cleaned_data["filters"])
        except ApplicationError as exc:
            raise forms.ValidationError(f"{exc.message} {exc.fields}") from None


@admin.register(DeskQueue)
class DeskQueueAdmin(admin.ModelAdmin):
    form = DeskQueueForm
    list_display = ("name", "position", "filters")
    search_fields = ("name",)


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ("code", "language", "title")
    list_filter = ("language",)
    search_fields = ("code", "title", "body")


@admin.register(DeskProfile)
class DeskProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "approval_limits")
    autocomplete_fields = ("user",)
    search_fields = ("user__username",)
