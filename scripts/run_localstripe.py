"""Run localstripe (a local, stateful Stripe emulator) for the demo, tests and benchmarks.

Binds 127.0.0.1 only and keeps its store in memory: upstream pickles the whole store to
one shared /tmp file on every write, which is slow and mixes concurrent instances.

    .venv/bin/python scripts/run_localstripe.py --port 8420
"""

import argparse
import logging

from aiohttp import web
from localstripe import resources
from localstripe.server import app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    args = parser.parse_args()
    resources.Store.dump_to_disk = lambda self: None
    logging.basicConfig(level=logging.WARNING)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
