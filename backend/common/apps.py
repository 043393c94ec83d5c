from pathlib import Path

from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "backend.common"
    label = "common"

    def ready(self) -> None:
        from django.conf import settings

        # The embedded default keeps its broker queue, results and cache under var/; make
        # sure they exist in every process (web, worker, management commands).
        folders = list(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).values())
        result_backend = str(settings.CELERY_RESULT_BACKEND)
        if result_backend.startswith("file://"):
            folders.append(result_backend.removeprefix("file://"))
        for folder in folders:
            if isinstance(folder, str) and folder.startswith("/"):
                Path(folder).mkdir(parents=True, exist_ok=True)
