from django.contrib import admin, messages
from django.utils.html import format_html

from backend.common.admin import ServiceWrittenAdmin
from backend.common.exceptions import ApplicationError
from backend.documents.models import Document
from backend.documents.services import document_retry


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
