from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "backend.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Imported once the apps are loaded: axes' signals and our handlers import models.
        from axes.signals import user_locked_out

        from backend.accounts.lockout import lockout_recorded
        from backend.accounts.services import roles_sync

        # Role groups are reference data: keep them in step with the code after every migrate.
        post_migrate.connect(
            lambda **kwargs: roles_sync(),
            sender=self,
            weak=False,
            dispatch_uid="accounts.roles_sync",
        )
        # Audit, which is what signals are for here: one row per lockout.
        user_locked_out.connect(lockout_recorded, dispatch_uid="accounts.lockout_recorded")
