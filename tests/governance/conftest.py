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
