from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "backend.plans"
    label = "plans"

    def ready(self) -> None:
        from backend.plans import signals  # noqa: F401 - catalogue cache invalidation
