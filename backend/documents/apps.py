from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "backend.documents"
    label = "documents"

    def ready(self) -> None:
        # Imported once the apps are loaded: the system checks and the worker's warm-up
        # register themselves, and the subscribers name tasks whose modules import models.
        from backend.documents import checks, subscribers, worker  # noqa: F401

        subscribers.register()
