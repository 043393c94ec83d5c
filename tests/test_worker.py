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


def start_worker(queues: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings.local",
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(
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
            queues,
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


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def worker():
    process = start_worker("critical,fast,documents,slow")
    yield process
    stop_worker(process)


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


@pytest.mark.worker
@pytest.mark.parametrize(("queues", "loads_mupdf"), [("slow", False), ("documents", True)])
def test_only_document_workers_load_the_pdf_reader(queues, loads_mupdf):
    """MuPDF is 130 MB of a worker's memory: a worker that renders no documents (an export
    worker on ``slow``) must not pay for it."""
    process = start_worker(queues)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        assert ping.apply_async(queue=queues).get(timeout=60) == "pong"  # it is up and working
        maps = Path(f"/proc/{process.pid}/maps").read_text()
        assert ("mupdf" in maps.lower()) is loads_mupdf
    finally:
        app.conf.task_always_eager = eager
        stop_worker(process)
