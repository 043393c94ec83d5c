from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "backend.documents"
    label = "documents"

    def ready(self) -> None:
        from backend.documents import checks  # noqa: F401  (registers the system checks)
