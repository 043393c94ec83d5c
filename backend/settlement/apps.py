from django.apps import AppConfig


class SettlementConfig(AppConfig):
    name = "backend.settlement"
    label = "settlement"
    verbose_name = "Settlement"

    def ready(self) -> None:
        # Imported once the apps are loaded: the subscribers' module imports models.
        from backend.settlement import subscribers

        subscribers.register()
