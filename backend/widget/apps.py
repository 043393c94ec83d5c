from django.apps import AppConfig


class WidgetConfig(AppConfig):
    """The embeddable checkout widget's API, for shoppers' browsers (publishable key)."""

    name = "backend.widget"
    label = "widget"
