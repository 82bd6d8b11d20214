import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_uploads(settings, tmp_path):
    """Merchants' uploads go to a throw-away folder."""
    settings.PRIVATE_UPLOAD_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The data API caches keys, entitlements and tables; no test sees another's."""
    from django.core.cache import cache

    from marketplace.access import store

    cache.clear()
    store.clear_namespace()


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LocalStripe:
    url: str
    log: list = field(default_factory=list)

    def delivered(self, event_type: str) -> bool:
        return any(f'webhook "{event_type}" successfully delivered' in line for line in self.log)

    def failed(self) -> list:
        return [line for line in self.log if "failed" in line]


@pytest.fixture
def localstripe():
    """localstripe (a fake, stateful Stripe) on 127.0.0.1 and a free port, with its log of webhook deliveries."""
    port = free_loopback_port()
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("localstripe_server.py")), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = LocalStripe(url=f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("localstripe did not start: " + process.stderr.read()[-2000:])
            time.sleep(0.1)
    reader = threading.Thread(target=lambda: server.log.extend(process.stderr), daemon=True)
    reader.start()
    yield server
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
