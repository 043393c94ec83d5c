"""Killing a real worker mid-work (kill -9) loses nothing and doubles nothing: a new worker
with beat recovers what the dead one held within about a minute, through the sweepers
(documents still rendering, contract follow-ups, refunds whose Stripe call never came back).

These run real Celery workers against the test database, so they need PostgreSQL (and, in
CI, Redis as the broker); the worker's own settings are the ones a deployment runs."""

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from backend.celery import app
from backend.checkout.cancellation import contract_cancel
from backend.common.actors import Actor
from backend.contracts.models import Contract
from backend.documents.models import Document
from backend.notifications.models import Notification
from backend.payments.models import Refund
from tests import stripe_helpers as sh

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
RECOVERY_SECONDS = 90  # "about a minute" after the new worker starts, with room for CI


class Worker:
    """A Celery worker (and optionally beat) on the test database, in its own process group
    so that kill -9 takes it and every child (wkhtmltopdf) at once."""

    def __init__(self, tmp_path: Path, name: str, *, beat: bool = False, **env):
        database = connection.settings_dict
        url = f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        self.log = tmp_path / f"{name}.log"
        command = [
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
            "critical,fast,documents,slow",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{name}@%h",
            "--loglevel",
            "INFO",
        ]
        if beat:
            command += ["--beat", "--schedule", str(tmp_path / f"{name}-beat")]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "backend.settings.local",
                "DATABASE_URL": url,
                "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
                "PYTHONUNBUFFERED": "1",
                **env,
            },
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def wait_for(predicate, timeout: float, what: str, worker: Worker | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(
        f"timed out waiting for {what}\n{worker.output()[-4000:] if worker else ''}"
    )


@pytest.fixture
def real_queue(settings):
    """Tasks go to the broker, as in production (the unit tests run them eagerly)."""
    if not settings.CELERY_BROKER_URL.startswith(("redis://", "amqp://")):
        pytest.skip("needs a network broker (CELERY_BROKER_URL) shared with the worker")
    eager = app.conf.task_always_eager

    class Workers(list):
        def go(self) -> None:
            """From here on, tasks go to the broker."""
            app.control.purge()
            app.conf.task_always_eager = False

    workers = Workers()
    yield workers
    app.conf.task_always_eager = eager
    for worker in workers:
        worker.stop()
    app.control.purge()


def test_a_worker_killed_while_issuing_a_contract_leaves_no_document_or_email_behind(
    real_queue, sell, tmp_path
):
    # The first worker's wkhtmltopdf hangs, so it is certainly killed mid-document.
    hanging = tmp_path / "wkhtmltopdf-hangs"
    hanging.write_text('#!/bin/sh\nsleep 600\nexec wkhtmltopdf "$@"\n')
    hanging.chmod(0o755)
    real_queue.go()
    first = Worker(tmp_path, "doomed", WKHTMLTOPDF_BINARY=str(hanging))
    real_queue.append(first)
    contract = sell(days_ago=0)  # activated now: its follow-up (documents, e-mail) is queued
    document = wait_for(
        lambda: Document.objects.filter(contract=contract, state="rendering").first(),
        60,
        "the first worker to start rendering",
        first,
    )
    first.kill()
    assert Document.objects.get(pk=document.pk).state == "rendering"
    key = f"contract:{contract.pk}:contract.activated"
    assert not Notification.objects.filter(key=key, sent_at__isnull=False).exists()

    started = time.monotonic()
    second = Worker(tmp_path, "rescuer", beat=True)
    real_queue.append(second)
    wait_for(
        lambda: Notification.objects.filter(key=key, sent_at__isnull=False).exists(),
        RECOVERY_SECONDS + 30,
        "the activation e-mail",
        second,
    )
    elapsed = time.monotonic() - started
    documents = Document.objects.filter(contract=contract, kind="service_contract")
    assert documents.count() == len({d.language for d in documents})  # one per language
    assert all(d.state == "issued" and d.sha256 for d in documents), list(documents.values())
    assert Notification.objects.filter(key=key).count() == 1
    # The e-mail went out once (the worker prints it), with the documents attached.
    output = second.output()
    assert output.count(f"E-mail to {contract.customer.email}") == 1, output[-3000:]
    assert "[attached: " in output
    assert elapsed < RECOVERY_SECONDS, elapsed


class _Swallowing(http.server.BaseHTTPRequestHandler):
    """Passes each request on to localstripe, then never answers: Stripe did the work, the
    caller never hears of it (a worker killed between Stripe's answer and its commit)."""

    upstream = ""
    seen: list[str] = []

    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        request = urllib.request.Request(  # noqa: S310 - localstripe's http URL
            self.upstream + self.path,
            data=body,
            method=self.command,
            headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
        )
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - localstripe
            pass
        self.seen.append(f"{self.command} {self.path}")
        time.sleep(600)

    do_GET = do_POST = _forward

    def log_message(self, *args):
        pass


def test_a_worker_killed_after_stripe_refunded_pays_the_refund_once(
    real_queue, paid_order, stripe_api, tmp_path
):
    _intent, [number, _] = paid_order()  # paid and activated in this process
    contract = Contract.objects.get(number=number)
    real_queue.go()
    _Swallowing.upstream, _Swallowing.seen = stripe_api, []
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Swallowing)
    proxy.daemon_threads = True
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    first = Worker(
        tmp_path,
        "doomed",
        STRIPE_API_BASE=f"http://127.0.0.1:{proxy.server_address[1]}",
        STRIPE_TIMEOUT_SECONDS="300",
    )
    real_queue.append(first)
    _contract, refund = contract_cancel(
        contract_id=contract.pk, actor=Actor.system("test"), reason="customer_request"
    )
    wait_for(
        lambda: any("/v1/refunds" in s for s in _Swallowing.seen),
        60,
        "the first worker's refund to reach Stripe",
        first,
    )
    first.kill()
    proxy.shutdown()
    refund.refresh_from_db()
    assert refund.state == "pending" and refund.attempt_started_at is not None

    started = time.monotonic()
    second = Worker(
        tmp_path, "rescuer", beat=True, STRIPE_API_BASE=stripe_api, STRIPE_TIMEOUT_SECONDS="5"
    )
    real_queue.append(second)
    wait_for(
        lambda: Refund.objects.filter(pk=refund.pk, state="succeeded").exists(),
        RECOVERY_SECONDS + 30,
        "the refund to be recorded",
        second,
    )
    elapsed = time.monotonic() - started
    refund.refresh_from_db()
    stripe_refunds = sh.client().v1.refunds.list(params={"payment_intent": _intent}).data
    assert [r.id for r in stripe_refunds] == [refund.stripe_refund_id]  # exactly once
    assert stripe_refunds[0].amount == refund.amount
    assert elapsed < RECOVERY_SECONDS, elapsed
