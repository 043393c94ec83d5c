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


_subscribers: dict[str, Subscriber] = {}


def subscribe(
    name: str,
    *,
    events: list[str] | tuple[str, ...],
    handler: Callable,
    ordered: bool = False,
    max_attempts: int = 8,
) -> Subscriber:
    if name in _subscribers and _subscribers[name].handler is not handler:
        raise ValueError(f"a subscriber named {name!r} is registered already")
    subscriber = Subscriber(name, frozenset(events), handler, ordered, max_attempts)
    _subscribers[name] = subscriber
    return subscriber


def unsubscribe(name: str) -> None:
    _subscribers.pop(name, None)


def subscribers_for(event_name: str) -> list[Subscriber]:
    return [s for s in _subscribers.values() if event_name in s.events]


def subscriber(name: str) -> Subscriber | None:
    return _subscribers.get(name)
