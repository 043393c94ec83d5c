from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Outbound webhooks: merchants' endpoints and every delivery attempt."""

    name = "backend.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        # Imported once the apps are loaded: the subscribers' module imports models.
        from backend.webhooks import subscribers

        subscribers.register()
