from django.apps import AppConfig


class WidgetConfig(AppConfig):
    """The embeddable checkout widget's API, for shoppers' browsers (publishable key)."""

    name = "backend.widget"
    label = "widget"

    def ready(self) -> None:
        # Imported once the apps are loaded: the CORS check reads the merchants' models.
        from corsheaders.signals import check_request_enabled

        from backend.widget.cors import widget_cors_allowed

        check_request_enabled.connect(widget_cors_allowed, dispatch_uid="widget-cors")
