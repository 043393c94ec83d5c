from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from backend.accounts.lockout import lockout_lift
from backend.accounts.models import LockoutEvent, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "merchant", "is_staff")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "merchant")
    search_fields = ("username", "email", "first_name", "last_name")
    autocomplete_fields = ("merchant",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Coverdesk", {"fields": ("merchant", "locale")}),
    )


# axes' own page of failed attempts, with lifting a lockout audited instead of a bare delete.
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class SignInAttemptAdmin(AccessAttemptAdmin):
    actions = ["lift_lockout"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # lifting goes through lockout_lift, which audits it

    @admin.action(description=_("Lift the lockout of the selected accounts"))
    def lift_lockout(self, request, queryset):
        usernames = sorted({a.username for a in queryset if a.username})
        for username in usernames:
            lockout_lift(username=username, actor=request.user, reason="admin: lift lockout")
        self.message_user(
            request, _("Lifted: %(names)s.") % {"names": ", ".join(usernames)}, messages.SUCCESS
        )


@admin.register(LockoutEvent)
class LockoutEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "username", "ip_address", "path", "actor", "reason")
    list_filter = ("kind",)
    search_fields = ("username", "ip_address")
    readonly_fields = list_display

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
