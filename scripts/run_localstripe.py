"""Run localstripe (a local, stateful Stripe emulator) for the demo, tests and benchmarks.

Binds 127.0.0.1 only and keeps its store in memory: upstream pickles the whole store to
one shared /tmp file on every write, which is slow and mixes concurrent instances. Its
webhooks go out over one reused HTTP session instead of a new one per event.

    .venv/bin/python scripts/run_localstripe.py --port 8420
"""

import argparse
import logging
from types import SimpleNamespace

import aiohttp
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    args = parser.parse_args()
    resources.Store.dump_to_disk = lambda self: None
    webhooks.aiohttp = SimpleNamespace(
        ClientSession=_SharedSession, client_exceptions=aiohttp.client_exceptions
    )
    logging.basicConfig(level=logging.WARNING)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
