from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from backend.accounts.choices import STAFF_ROLES, Role
from backend.accounts.models import User
from backend.accounts.roles import ROLE_PERMISSIONS


@transaction.atomic
def roles_sync() -> None:
    """Create one group per role and give it exactly the permissions in ROLE_PERMISSIONS."""
    # Permissions are created app by app after migrate; make sure every app's exist now.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    all_permissions = Permission.objects.select_related("content_type")
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in all_permissions}
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = ROLE_PERMISSIONS[role]
        if wanted == ["*"]:
            group.permissions.set(by_name.values())
        else:
            group.permissions.set([by_name[name] for name in wanted])


def user_create(
    *,
    username: str,
    email: str,
    password: str | None,
    roles: list[Role],
    merchant=None,
    provider=None,
    locale: str = "en",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user in the given roles. Staff roles may sign in to the admin site."""

    if Role.MERCHANT_ADMIN in roles and merchant is None:
        raise ValueError("A merchant admin needs a merchant.")
    if Role.OBLIGOR in roles and provider is None:
        raise ValueError("An obligor user needs a provider.")
    user = User(
        username=username,
        email=email,
        merchant=merchant,
        provider=provider,
        locale=locale,
        first_name=first_name,
        last_name=last_name,
        is_staff=any(r in STAFF_ROLES for r in roles),
        is_superuser=Role.PLATFORM_ADMIN in roles,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
    return user
