"""The Celery application. Broker, queues and limits come from Django settings (CELERY_*)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.local")

app = Celery("coverdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")

# Payment events first, then fast work (e-mail, webhooks, tagging), then documents (the
# activation e-mail waits for them), then slow work (exports, batch jobs). Workers consume
# "critical,fast,documents,slow", or some of them each.
QUEUES = ("critical", "fast", "documents", "slow")
app.conf.task_queues = tuple(Queue(name) for name in QUEUES)

app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _recycle_database_connections(task=None, **_kwargs) -> None:
    """Treat each task as Django treats a request: keep the connection for CONN_MAX_AGE,
    drop it when it is broken or too old. (Celery's own fix-up closes it after every task,
    which costs a PostgreSQL connection set-up per task; CELERY_DB_REUSE_MAX turns that off.)"""
    from django.db import close_old_connections

    if task is not None and not task.request.is_eager:  # eager: inside the caller's transaction
        close_old_connections()
