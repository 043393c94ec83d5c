from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "backend.plans"
    label = "plans"

    def ready(self) -> None:
        # Imported once the apps are loaded: the receivers import models.
        from backend.plans import signals  # noqa: F401 - catalogue cache invalidation
