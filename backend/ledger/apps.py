from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "backend.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        # Imported once the apps are loaded: the subscribers' module imports models.
        from backend.ledger import subscribers

        subscribers.register()
