"""The domain-event outbox: written with the change, relayed once, each subscriber on its own."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from backend.events import delivery, tasks
from backend.events.models import Delivery, DeliveryState, Event
from backend.events.registry import subscribe, unsubscribe
from backend.events.services import NotInTransaction, publish
from backend.events.tasks import events_sweep_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """Two subscribers to ``thing.happened``: ``recorder`` notes every event it handles;
    ``flaky`` fails as many times as ``flaky.failures`` says, then notes it too."""
    seen = {"recorder": [], "flaky": []}
    failures = {"left": 0}

    def recorder(event):
        seen["recorder"].append(event.pk)

    def flaky(event):
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("the far end is down")
        seen["flaky"].append(event.pk)

    subscribe("test.recorder", events=["thing.happened"], handler=recorder)
    subscribe("test.flaky", events=["thing.happened"], handler=flaky, max_attempts=3)
    yield seen, failures
    unsubscribe("test.recorder")
    unsubscribe("test.flaky")


def _publish(**kwargs) -> Event:
    with transaction.atomic():
        return publish("thing.happened", aggregate="thing", aggregate_id=7, **kwargs)


def test_an_event_is_relayed_to_every_subscriber_once_its_transaction_commits(
    heard, django_capture_on_commit_callbacks
):
    seen, _ = heard
    with django_capture_on_commit_callbacks(execute=True):
        event = _publish(payload={"n": 1})
    assert seen == {"recorder": [event.pk], "flaky": [event.pk]}
    assert set(event.deliveries.values_list("subscriber", "state")) == {
        ("test.recorder", "done"),
        ("test.flaky", "done"),
    }


def test_a_rolled_back_change_publishes_nothing(heard, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        publish("thing.happened", aggregate="thing", aggregate_id=7)
        1 / 0  # noqa: B018 - the change fails after publishing
    assert not Event.objects.exists() and heard[0] == {"recorder": [], "flaky": []}


def test_an_events_deliveries_are_written_with_it_and_sent_after_commit(
    heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as hooks, transaction.atomic():
        unheard = publish("nothing.listens", aggregate="thing", aggregate_id=7)
    assert unheard.relayed_at is not None and not hooks  # nothing to send, nothing to sweep
    assert not unheard.deliveries.exists()
    with django_capture_on_commit_callbacks() as hooks:
        heard_event = _publish()
    assert heard_event.relayed_at is not None and len(hooks) == 1  # one hook sends both
    assert set(heard_event.deliveries.values_list("subscriber", "state")) == {
        ("test.recorder", "pending"),
        ("test.flaky", "pending"),
    }


def test_a_subscriber_that_does_not_want_an_event_gets_no_delivery(
    heard, django_capture_on_commit_callbacks
):
    seen, _ = heard
    asked = []

    def wants(event):
        asked.append(event.payload["n"])
        return event.payload["n"] == 2

    subscribe("test.picky", events=["thing.happened"], handler=seen["recorder"].append, wants=wants)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = _publish(payload={"n": 1})
        with django_capture_on_commit_callbacks(execute=True):
            second = _publish(payload={"n": 2})
    finally:
        unsubscribe("test.picky")
    assert asked == [1, 2]
    assert not first.deliveries.filter(subscriber="test.picky").exists()
    assert second.deliveries.get(subscriber="test.picky").state == DeliveryState.DONE
    assert first.deliveries.count() == 2  # the others still hear it


@pytest.mark.django_db(transaction=True)
def test_publishing_outside_a_transaction_is_refused(heard):
    with pytest.raises(NotInTransaction):
        publish("thing.happened", aggregate="thing", aggregate_id=7)
    assert not Event.objects.exists()


def test_an_event_committed_but_never_enqueued_is_delivered_by_the_sweep(
    heard, django_capture_on_commit_callbacks, monkeypatch
):
    """The process dies between the commit and the enqueue: the on-commit hook never runs.
    The deliveries are rows already; the sweep sends them once a lease has passed."""
    seen, _ = heard
    with django_capture_on_commit_callbacks(execute=False):
        event = _publish()
    assert event.deliveries.count() == 2 and seen["recorder"] == []
    assert events_sweep_task() == 0  # inside the lease their tasks may still be queued
    later = timezone.now() + timedelta(seconds=61)
    _, due = delivery.due(later)
    assert {subscriber for _pk, subscriber in due} == {"test.recorder", "test.flaky"}
    assert delivery.due(later)[1] == []  # sent: the next sweep leaves them a lease
    Delivery.objects.update(next_attempt_at=timezone.now())
    events_sweep_task()
    assert seen == {"recorder": [event.pk], "flaky": [event.pk]}
    assert events_sweep_task() == 0  # nothing left to do


def test_a_broker_that_fails_after_the_commit_leaves_the_deliveries_to_the_sweep(
    heard, django_capture_on_commit_callbacks, monkeypatch
):
    """The broker refuses the tasks in the on-commit hook: the change stands, the publisher
    sees no error, and the sweep sends the deliveries once their lease has passed."""
    seen, _ = heard

    def broker_down(delivery_id, subscriber):
        raise ConnectionError("the broker is down")

    monkeypatch.setattr(tasks, "deliver_later", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        event = _publish()
    assert seen["recorder"] == [] and event.deliveries.filter(state="pending").count() == 2
    monkeypatch.undo()
    Delivery.objects.update(next_attempt_at=timezone.now())
    events_sweep_task()
    assert seen == {"recorder": [event.pk], "flaky": [event.pk]}


def test_a_duplicate_relay_or_delivery_is_a_no_op(heard, django_capture_on_commit_callbacks):
    seen, _ = heard
    with django_capture_on_commit_callbacks(execute=True):
        event = _publish()
    assert delivery.relay(event.pk) == []  # no new deliveries, none pending
    recorder = event.deliveries.get(subscriber="test.recorder")
    assert delivery.deliver(recorder.pk) == "skipped"
    assert seen["recorder"] == [event.pk]
    assert Delivery.objects.filter(event=event).count() == 2  # unique (event, subscriber)


def test_a_failing_subscriber_does_not_hold_up_the_others_and_is_retried(
    heard, django_capture_on_commit_callbacks
):
    seen, failures = heard
    failures["left"] = 1
    with django_capture_on_commit_callbacks(execute=True):
        event = _publish()
    assert seen["recorder"] == [event.pk] and seen["flaky"] == []
    flaky = event.deliveries.get(subscriber="test.flaky")
    assert (flaky.state, flaky.attempts) == ("pending", 1)
    assert "ConnectionError: the far end is down" in flaky.last_error
    assert flaky.next_attempt_at > timezone.now() + timedelta(seconds=20)  # its own backoff
    assert events_sweep_task() == 0  # not due yet
    Delivery.objects.filter(pk=flaky.pk).update(next_attempt_at=timezone.now())
    assert events_sweep_task() == 1
    flaky.refresh_from_db()
    assert (flaky.state, flaky.attempts, flaky.last_error) == ("done", 2, "")
    assert seen == {"recorder": [event.pk], "flaky": [event.pk]}


def test_a_subscriber_that_keeps_failing_is_given_up_and_retried_by_hand(
    heard, django_capture_on_commit_callbacks
):
    seen, failures = heard
    failures["left"] = 3
    with django_capture_on_commit_callbacks(execute=True):
        event = _publish()
    flaky = event.deliveries.get(subscriber="test.flaky")
    for _ in range(2):
        Delivery.objects.filter(pk=flaky.pk).update(next_attempt_at=timezone.now())
        events_sweep_task()
    flaky.refresh_from_db()
    assert (flaky.state, flaky.attempts) == ("failed", 3)
    assert events_sweep_task() == 0  # given up: only a person puts it back
    assert delivery.retry([flaky.pk]) == 1
    events_sweep_task()
    flaky.refresh_from_db()
    assert flaky.state == "done" and seen["flaky"] == [event.pk]


def test_an_ordered_subscriber_gets_an_aggregates_events_in_order(
    django_capture_on_commit_callbacks,
):
    order = []
    subscribe(
        "test.ordered",
        events=["thing.happened"],
        handler=lambda event: order.append(event.payload["n"]),
        ordered=True,
    )
    try:
        with django_capture_on_commit_callbacks(execute=False):
            first = _publish(payload={"n": 1})
            second = _publish(payload={"n": 2})
        [second_delivery] = [delivery.relay(second.pk)]
        assert delivery.deliver(second_delivery[0]) == "waiting"  # the first is not relayed
        [first_delivery] = delivery.relay(first.pk)
        assert delivery.deliver(second_delivery[0]) == "waiting"  # nor delivered
        assert delivery.deliver(first_delivery) == "done"
        assert delivery.deliver(second_delivery[0]) == "done"
        assert order == [1, 2]
    finally:
        unsubscribe("test.ordered")


def test_a_worker_that_died_holding_a_delivery_loses_it_when_the_lease_ends(heard):
    seen, _ = heard
    with transaction.atomic():
        event = publish("thing.happened", aggregate="thing", aggregate_id=7)
    [recorder, _flaky] = sorted(delivery.relay(event.pk))
    now = timezone.now()
    Delivery.objects.filter(pk=recorder).update(started_at=now)  # held, then the worker died
    assert delivery.deliver(recorder, now=now) == "skipped"
    assert delivery.deliver(recorder, now=now + timedelta(minutes=6)) == "done"
    assert seen["recorder"] == [event.pk]


def test_delivered_events_are_purged_after_the_retention_and_the_rest_kept(
    heard, django_capture_on_commit_callbacks
):
    _seen, failures = heard
    with django_capture_on_commit_callbacks(execute=True):
        done = _publish()
    failures["left"] = 1
    with django_capture_on_commit_callbacks(execute=True):
        pending = _publish()
    later = timezone.now() + timedelta(days=31)
    assert delivery.purge(later) > 0
    assert list(Event.objects.values_list("pk", flat=True)) == [pending.pk]
    assert not Delivery.objects.filter(event_id=done.pk).exists()
    assert Delivery.objects.filter(event=pending, state=DeliveryState.PENDING).exists()
