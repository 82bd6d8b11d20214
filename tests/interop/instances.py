"""Two (or more) exchanges running as separate processes on 127.0.0.1, each with its own database,
data folder, signing key and exchange code; shared by the conformance and browser tests.

``exchange_pair(tmp)`` migrates one template SQLite database, copies it for each instance, starts
``manage.py runserver --noreload`` on a free port and waits until the discovery document answers.
``stop()`` always terminates the processes (the fixtures call it in their finaliser).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
START_TIMEOUT_SECONDS = 30
# Variables of the test run that must not leak into an instance.
DROPPED = (
    "DATABASE_URL",
    "DATA_DIR",
    "MEDIA_ROOT",
    "EXCHANGE_CODE",
    "EXCHANGE_NAME",
    "SITE_URL",
    "SIGNING_KEY",
    "SIGNING_KEY_FILE",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS",
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED}
    env.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.update(DJANGO_DEBUG="true", INTEROP_ALLOW_HTTP="true", LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1", **extra)
    env.setdefault("STAFF_TWO_FACTOR_REQUIRED", "false")  # operators' sessions are made without a one-time code
    return env


def migrate_template(folder: Path) -> Path:
    """One migrated SQLite database that every instance starts from (migrating once saves seconds)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "template.sqlite3"
    env = base_env(DATABASE_URL=f"sqlite:///{path}", DATA_DIR=str(folder / "template-data"))
    done = subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{done.stderr[-4000:]}")
    return path


class Instance:
    """One exchange running in its own process."""

    def __init__(self, code: str, name: str, folder: Path, template: Path):
        self.code = code
        self.name = name
        self.folder = folder
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.database = folder / f"{code.lower()}.sqlite3"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, self.database)
        self.env = base_env(
            DATABASE_URL=f"sqlite:///{self.database}",
            DATA_DIR=str(folder / "data"),
            EXCHANGE_CODE=code,
            EXCHANGE_NAME=name,
            SITE_URL=self.base_url,
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            PEER_HTTP_TIMEOUT_SECONDS="10",
        )
        self.process: subprocess.Popen | None = None
        self.log = folder / "server.log"

    @property
    def key_file(self) -> Path:
        return self.folder / "data" / "signing" / "ed25519.pem"

    def start(self) -> "Instance":
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [PYTHON, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{self.port}"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.code} exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(self.base_url + "/.well-known/data-exchange.json", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.code} did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def spawn(self, *steps: tuple[str, dict]) -> subprocess.Popen:
        """Start seed actions in one process with this instance's environment (see ``tests/interop/seed.py``)."""
        return subprocess.Popen(
            [PYTHON, "-m", "tests.interop.seed", json.dumps(list(steps), ensure_ascii=False)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def collect(self, process: subprocess.Popen, steps=()) -> list:
        try:
            stdout, stderr = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        if process.returncode != 0:
            raise RuntimeError(f"{self.code} seed {steps!r} failed:\n{stderr[-4000:]}")
        return json.loads(stdout.strip().splitlines()[-1])

    def run(self, *steps: tuple[str, dict]) -> list:
        """Run seed actions in one process and return their results."""
        return self.collect(self.spawn(*steps), steps)

    def one(self, action: str, /, **kwargs):
        return self.run((action, kwargs))[0]

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.base_url + path, timeout=15, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return requests.post(self.base_url + path, timeout=15, **kwargs)


_templates: dict[str, Path] = {}


def template_database(folder: Path) -> Path:
    """The migrated template, made once per test run (pytest keeps its temporary folders for the session)."""
    cached = _templates.get("default")
    if cached is None or not cached.exists():
        cached = _templates["default"] = migrate_template(folder)
    return cached


def start_instances(folder: Path, specs: list[tuple[str, str]]) -> list[Instance]:
    template = template_database(folder)
    instances = [Instance(code, name, folder / code.lower(), template) for code, name in specs]
    try:
        for instance in instances:
            instance.start()
        for instance in instances:
            instance.wait_ready()
    except Exception:
        stop_all(instances)
        raise
    return instances


def stop_all(instances: list[Instance]) -> None:
    for instance in instances:
        instance.stop()


# Demo parties: the same company (one USCC) is a merchant at both exchanges.
HOLDER_USCC = "91350100M000100Y43"
HOLDER_NAME = "闽数科技有限公司"


def in_parallel(*jobs: tuple[Instance, list[tuple[str, dict]]]) -> list[list]:
    """Run each instance's seed steps at the same time (they are separate processes anyway)."""
    started = [(instance, instance.spawn(*steps), steps) for instance, steps in jobs]
    return [instance.collect(process, steps) for instance, process, steps in started]


def seed_pair(a: Instance, b: Instance) -> dict:
    """Users and the holder at both; peers registered and trusted both ways; one product registered at A."""
    people = {"operator": "op", "merchant": "merchant", "org_name": HOLDER_NAME, "uscc": HOLDER_USCC}
    product = {"uscc": HOLDER_USCC, "merchant": "merchant", "operator": "op", "name": "企业经营异常核验"}
    at_a, _at_b = in_parallel((a, [("setup", people), ("register", product)]), (b, [("setup", people)]))
    # Each side registers the other by base URL and trusts it (the operators compared fingerprints).
    in_parallel(
        (b, [("command", {"name": "peer_add", "args": [a.base_url, "--trust"]})]),
        (a, [("command", {"name": "peer_add", "args": [b.base_url, "--trust"]})]),
    )
    return {"code": at_a[1]}
