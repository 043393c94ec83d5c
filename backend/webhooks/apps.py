from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Outbound webhooks: merchants' endpoints and every delivery attempt."""

    name = "backend.webhooks"
    label = "webhooks"
