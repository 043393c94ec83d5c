"""The Celery application. Broker, queues and limits come from Django settings (CELERY_*)."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.local")

app = Celery("coverdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")

# Payment events first, then fast work (e-mail, webhooks, tagging), then slow work (PDF,
# exports, batch jobs). Workers consume "critical,fast,slow".
app.conf.task_queues = (Queue("critical"), Queue("fast"), Queue("slow"))

app.autodiscover_tasks()
