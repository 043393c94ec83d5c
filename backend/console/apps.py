from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The merchant console's own reads: the go-live checklist and the widget preview,
    which look across the apps a merchant sets up (plans, keys, webhooks, payouts)."""

    name = "backend.console"
    label = "console"
