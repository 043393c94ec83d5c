"""The Celery application. Broker, queues and limits come from Django settings (CELERY_*)."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.local")

app = Celery("coverdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")

# Fast work (webhooks, tagging) and slow work (PDF, exports) never share a queue.
app.conf.task_queues = (Queue("fast"), Queue("slow"))

app.autodiscover_tasks()
