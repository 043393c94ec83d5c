"""Who listens to which events. Each app registers its subscribers by name in its
``AppConfig.ready()``; the app that publishes an event never knows them."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Subscriber:
    name: str  # stable: it is stored on every delivery
    events: frozenset[str]
    handler: Callable  # handler(event) -> None, run inside the delivery's transaction
    # Handle an aggregate's events in the order they happened: a delivery waits while an
    # earlier event of the same aggregate is still undelivered to this subscriber.
    ordered: bool = False
    max_attempts: int = 8
    # The Celery queue its deliveries run on (documents have a queue of their own).
    queue: str = "fast"
    # True: the handler and the delivery's "done" commit together, so its writes happen
    # exactly once. False: the handler runs outside a transaction (it renders PDFs, say,
    # and must not hold one open) and must be idempotent itself: a worker that dies after
    # its work and before "done" has it run again.
    atomic: bool = True
    # wants(event) -> bool, asked as the deliveries are written (inside the publishing
    # transaction, or by the relay of a batch): False means no delivery at all
    # (a merchant with no webhook endpoint, a trigger with no tag rule), which saves a task
    # and its queries. It must be cheap and read only what the relay may read: one query.
    wants: Callable | None = None


_subscribers: dict[str, Subscriber] = {}


def subscribe(
    name: str,
    *,
    events: list[str] | tuple[str, ...],
    handler: Callable,
    ordered: bool = False,
    max_attempts: int = 8,
    queue: str = "fast",
    atomic: bool = True,
    wants: Callable | None = None,
) -> Subscriber:
    if name in _subscribers and _subscribers[name].handler is not handler:
        raise ValueError(f"a subscriber named {name!r} is registered already")
    subscriber = Subscriber(
        name, frozenset(events), handler, ordered, max_attempts, queue, atomic, wants
    )
    _subscribers[name] = subscriber
    return subscriber


def unsubscribe(name: str) -> None:
    _subscribers.pop(name, None)


def subscribers_for(event_name: str) -> list[Subscriber]:
    return [s for s in _subscribers.values() if event_name in s.events]


def subscriber(name: str) -> Subscriber | None:
    return _subscribers.get(name)


def queue_of(name: str) -> str:
    """Where a subscriber's deliveries run (one no longer registered: the default queue,
    where ``deliver`` reports it)."""
    registered = _subscribers.get(name)
    return registered.queue if registered else "fast"
