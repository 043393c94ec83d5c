from django.contrib import admin

from backend.common.admin import ServiceWrittenAdmin
from backend.ledger.models import Account, Entry, LedgerTransaction


class EntryInline(admin.TabularInline):
    model = Entry
    extra = 0
    can_delete = False
    fields = ("account", "amount", "currency")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ServiceWrittenAdmin):
    """The books as posted: each transaction with its entries. Nothing here changes them;
    a mistake is corrected by posting another transaction."""

    list_display = ("source", "kind", "occurred_at", "posted_at")
    list_filter = ("kind",)
    search_fields = ("source", "description")
    date_hierarchy = "occurred_at"
    inlines = (EntryInline,)


@admin.register(Account)
class AccountAdmin(ServiceWrittenAdmin):
    list_display = ("key", "purpose", "kind", "currency", "merchant", "provider", "jurisdiction")
    list_filter = ("purpose", "kind", "currency")
    search_fields = ("key",)
    list_select_related = ("merchant", "provider")
