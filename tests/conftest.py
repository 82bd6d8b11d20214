"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL says so."""

import os
import shutil
import tempfile

import pytest
from django.db import connection

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop.


@pytest.fixture(autouse=True)
def _media_root(settings):
    """Uploaded files go to a throw-away folder."""
    path = tempfile.mkdtemp(prefix="exchange-media-")
    settings.MEDIA_ROOT = path
    yield
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Tasks run in-process in tests, even where CELERY_BROKER_URL is set (CI);
    tests/marketplace/test_celery_worker.py runs a real worker instead."""
    from marketplace.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield


@pytest.fixture(autouse=True)
def _security_defaults(settings):
    """Staff sign in without a one-time code here (tests/security turn two-factor sign-in on), and sign-in
    failure counters (accounts/signin.py) start from zero in each test."""
    from django.core.cache import cache

    settings.STAFF_TWO_FACTOR_REQUIRED = False
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests read the English source strings: the site's default language (zh-hans, which has a catalogue in
    locale/) is English here. A request asking for Chinese still gets it (tests/marketplace/test_translations.py)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (CI does)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"
