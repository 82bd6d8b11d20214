"""Run localstripe bound to 127.0.0.1 only: ``python localstripe_server.py PORT``.

localstripe's own command listens on every interface (``::``); the tests start its
aiohttp application here instead, on the loopback address alone.
"""

import logging
import sys

from aiohttp import web
from localstripe.resources import store
from localstripe.server import app


def main() -> None:
    port = int(sys.argv[1])
    # localstripe reports each webhook delivery on this logger; the tests read it from stderr.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.INFO)
    store.dump_to_disk = lambda: None  # keep the fake Stripe's state in memory only (it writes /tmp otherwise)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main()
