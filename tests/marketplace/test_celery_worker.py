"""A real Celery worker against Redis runs the periodic work on the test database."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from catalog import services
from catalog.models import Product
from marketplace.celery import app
from tests.factories import operator, submitted_product

ROOT = Path(__file__).resolve().parents[2]


def _redis_available(url: str) -> bool:
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_completes_a_registration_whose_notice_ended(monkeypatch):
    """complete_due_registrations sent through Redis is executed by a separate worker process."""
    broker = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0"
    if not _redis_available(broker):
        pytest.skip("Redis is not reachable at " + broker)
    staff = operator()
    product = submitted_product()
    services.registration_start_review(product=product, actor=staff)
    services.registration_approve(product=product, actor=staff)
    Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(minutes=1))
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "marketplace",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    app.conf.task_always_eager = False
    monkeypatch.setattr(app.conf, "broker_url", broker)
    try:
        result = app.send_task("catalog.tasks.complete_due_registrations", queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            connection.close()
            if Product.objects.get(pk=product.pk).status == Product.Status.REGISTERED:
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        app.conf.task_always_eager = True

    assert Product.objects.get(pk=product.pk).status == Product.Status.REGISTERED, worker.stderr.read().decode()[-2000:]
    assert result.id
