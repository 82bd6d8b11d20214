"""Settings of bench/data_api.py's server: the project's, plus a bare DRF endpoint to compare against."""

from marketplace.settings import *  # noqa: F403

ROOT_URLCONF = "bench.data_api_urls"
