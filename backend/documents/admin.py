from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from backend.common.actors import Actor, ActorKind
from backend.common.admin import ServiceWrittenAdmin
from backend.common.exceptions import ApplicationError
from backend.documents.models import Document, PaperCopyRequest
from backend.documents.services import document_retry, paper_copy_mark_sent


@admin.register(Document)
class DocumentAdmin(ServiceWrittenAdmin):
    """Issued documents, and the ones that failed their compliance check (filter by state)."""

    list_display = (
        "contract",
        "kind",
        "language",
        "binding",
        "state",
        "pack",
        "template",
        "issued_at",
    )
    list_filter = ("state", "kind", "pack", "language")
    search_fields = ("contract__number", "sha256")
    list_select_related = ("contract",)
    actions = ("retry_failed",)

    @admin.display(description="PDF")
    def pdf(self, document):
        if not document.file:
            return "-"
        return format_html('<a href="{}">{}</a>', document.file.url, document.file.name)

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "pdf"]

    @admin.action(description="Render and check the selected failed documents again")
    def retry_failed(self, request, queryset):
        retried = 0
        for document in queryset:
            try:
                document_retry(document_id=document.pk)
                retried += 1
            except ApplicationError as exc:
                self.message_user(request, f"{document}: {exc.message}", messages.WARNING)
        self.message_user(request, f"{retried} documents queued for another attempt.")


class OverdueFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return (("overdue", "Overdue"), ("open", "Open, not yet due"))

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(state="requested", due_on__lt=today)
        if self.value() == "open":
            return queryset.filter(state="requested", due_on__gte=today)
        return queryset


@admin.register(PaperCopyRequest)
class PaperCopyRequestAdmin(ServiceWrittenAdmin):
    """Paper copies to post, soonest due first."""

    list_display = ("contract", "state", "due_on", "requested_at", "requested_by", "sent_at")
    list_filter = ("state", OverdueFilter)
    search_fields = ("contract__number", "mailing_address")
    list_select_related = ("contract",)
    actions = ("mark_sent",)

    @admin.action(description="Mark the selected paper copies as posted")
    def mark_sent(self, request, queryset):
        actor = Actor.person(ActorKind.STAFF, request.user)
        sent = 0
        for paper in queryset:
            try:
                paper_copy_mark_sent(request_id=paper.pk, actor=actor)
                sent += 1
            except ApplicationError as exc:
                self.message_user(request, f"{paper}: {exc.message}", messages.WARNING)
        self.message_user(request, f"{sent} paper copies marked as posted.")
