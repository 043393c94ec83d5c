from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "backend.notifications"
    label = "notifications"

    def ready(self) -> None:
        # Imported once the apps are loaded: the subscribers' module imports models.
        from backend.notifications import subscribers

        subscribers.register()
