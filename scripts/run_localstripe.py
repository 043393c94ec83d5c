"""Run localstripe (a local, stateful Stripe emulator) for the demo, tests and benchmarks.

Two changes to what the emulator answers, both to behave as Stripe does:

- card numbers are read as Stripe.js's card field reads them: spaces and dashes typed
  between the digits do not count (``4242 4242 4242 4242``, as the README prints it);
- Stripe's decline test cards decline when a payment is confirmed with them
  (https://docs.stripe.com/testing#declined-payments): ``4000 0000 0000 0002`` and the
  others that upstream declines only when a card is attached to a customer;

the Connect, fee and balance APIs Coverdesk pays merchants through
(``localstripe_connect``, beside this file); and four to how it runs:

- the store stays in memory: upstream pickles all of it to one shared /tmp file on every
  write, which is slow and mixes concurrent instances;
- objects are indexed by kind: upstream lists (and so every charge's refunds, which every
  PaymentIntent response embeds) by scanning the whole store, so each payment costs more
  than the last (12 ms of CPU at first, 59 ms after 1,800 payments);
- webhooks go out over one reused HTTP session instead of a new one per event;
- webhooks go out as soon as the event happens (``--webhook-delay``, 0 s by default):
  upstream waits a fixed second before sending each one, which made every demo activation
  wait that second although Coverdesk activates within a tenth of one.

    .venv/bin/python scripts/run_localstripe.py --port 8420
"""

import argparse
import asyncio
import logging
from types import SimpleNamespace

import aiohttp
import localstripe_connect
from aiohttp import web
from localstripe import resources, webhooks
from localstripe.server import app


class _SharedSession:
    """Stands in for ``aiohttp.ClientSession`` in localstripe's webhook sender, which opens
    a new session, and so a new connection, for every event; this reuses one."""

    session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> aiohttp.ClientSession:
        if _SharedSession.session is None or _SharedSession.session.closed:
            _SharedSession.session = aiohttp.ClientSession()
        return _SharedSession.session

    async def __aexit__(self, *_exc) -> bool:
        return False


class _IndexedStore(resources.Store):
    """localstripe's store (keys ``<kind>:<id>``), also indexed by kind, kept in memory."""

    def __setitem__(self, key, value) -> None:
        dict.__setitem__(self, key, value)
        kind, colon, _id = key.partition(":")
        if colon:
            self.by_kind.setdefault(kind, {})[key] = value

    def __delitem__(self, key) -> None:
        dict.__delitem__(self, key)
        self.by_kind.get(key.partition(":")[0], {}).pop(key, None)

    def clear(self) -> None:
        dict.clear(self)
        self.by_kind.clear()

    def dump_to_disk(self) -> None:
        pass


def _list_all_of_kind(cls, url, limit=None, starting_after=None, **kwargs):
    """Upstream's ``StripeObject._api_list_all``, reading the index instead of the store."""
    if kwargs:
        raise resources.UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
    listing = resources.List(url, limit=limit, starting_after=starting_after)
    listing._list = list(resources.store.by_kind.get(cls.object, {}).values())
    return listing


# Stripe's test cards that decline a payment, with the decline code Stripe gives each.
DECLINE_CARDS = {
    "4000000000000002": "generic_decline",
    "4000000000009995": "insufficient_funds",
    "4000000000009987": "lost_card",
    "4000000000009979": "stolen_card",
    "4000000000000069": "expired_card",
    "4000000000000127": "incorrect_cvc",
    "4000000000000119": "processing_error",
    "4242424242424241": "incorrect_number",
}


def _digits(number):
    return "".join(number.split()).replace("-", "") if isinstance(number, str) else number


def _read_numbers_as_typed() -> None:
    """Card and PaymentMethod take the number without the spaces a shopper types."""
    card_init = resources.Card.__init__
    method_init = resources.PaymentMethod.__init__

    def card(self, source=None, **kwargs):
        if isinstance(source, dict) and "number" in source:
            source = {**source, "number": _digits(source["number"])}
        card_init(self, source=source, **kwargs)

    def payment_method(self, *args, card=None, **kwargs):
        if isinstance(card, dict) and "number" in card:
            card = {**card, "number": _digits(card["number"])}
        method_init(self, *args, card=card, **kwargs)

    resources.Card.__init__ = card
    resources.PaymentMethod.__init__ = payment_method


def _decline_as_stripe_does() -> None:
    for cls in (resources.Card, resources.PaymentMethod):
        declined = cls._charging_is_declined

        def charging_is_declined(self, _declined=declined):
            number = getattr(self, "_card_number", None)
            return _declined(self) or number in DECLINE_CARDS

        cls._charging_is_declined = charging_is_declined


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument(
        "--webhook-delay", type=float, default=0.0, help="seconds before each webhook goes out"
    )
    parser.add_argument(
        "--opening-balance",
        default="",
        help="top up the platform's balance at start, e.g. usd=100000000,eur=100000000",
    )
    args = parser.parse_args()
    resources.store.__class__ = _IndexedStore  # the instance every module already holds
    resources.store.by_kind = {}
    resources.store.clear()
    resources.StripeObject._api_list_all = classmethod(_list_all_of_kind)
    _read_numbers_as_typed()
    _decline_as_stripe_does()
    webhooks.aiohttp = SimpleNamespace(
        ClientSession=_SharedSession, client_exceptions=aiohttp.client_exceptions
    )
    # The sender's only uses of asyncio: its fixed one-second wait, and scheduling itself.
    delay = args.webhook_delay
    webhooks.asyncio = SimpleNamespace(
        sleep=lambda _seconds: asyncio.sleep(delay), ensure_future=asyncio.ensure_future
    )
    localstripe_connect.install(app, base_url=f"http://{args.host}:{args.port}")
    localstripe_connect.opening_balance(args.opening_balance)
    logging.basicConfig(level=logging.WARNING)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
