"""A real Celery worker process consumes from the configured broker.

Locally that is kombu's filesystem transport; in CI, Redis (CELERY_BROKER_URL). Eager
mode, which the unit tests use, is switched off here.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.celery import app
from backend.common.tasks import ping

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def worker():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings.local",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backend",
            "worker",
            "-P",
            "solo",
            "-c",
            "1",
            "-Q",
            "critical,fast,slow",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.worker
def test_task_round_trip_through_a_real_worker(worker):
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        assert ping.apply_async(queue="fast").get(timeout=60) == "pong"
    except Exception:
        worker.terminate()
        print(worker.stdout.read())
        raise
    finally:
        app.conf.task_always_eager = eager
