"""The whole OpenAPI schema under schemathesis, in-process (WSGI, no server): no operation answers 5xx, every
answer is one the schema documents, with the documented content type, headers and body.

Two runs over every operation (the REST API under /api/v1/ and the data API under /data/v1/, both in the schema):
signed in as a verified organisation that both sells and buys (a DRF token; its data-API key for /data/v1/), and
anonymous. Every built-in check runs, with the few exceptions below, each with its reason. The data behind the
runs is tests/security/world.py, built once for the module, so the small ids and codes hypothesis tries often
name real objects. Hypothesis is bounded (few examples, no deadline, derandomized): both runs take about a
minute on two cores.
"""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from marketplace.wsgi import application
from tests.security.world import world_for_module

pytestmark = [
    pytest.mark.django_db,
    # The data API caches by the product code as sent; hypothesis sends codes memcached could not hold as keys
    # (the exchange's cache is Redis or local memory, which hold any key).
    pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning"),
]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# DRF refuses a NUL character in any text field (its ProhibitNullCharactersValidator; PostgreSQL cannot store one),
# which a JSON Schema "string" does not say: generating them would only find that rule again and again.
schema.config.generation.update(allow_x00=False)

BOUNDED = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def positive_data_accepted(ctx, response, case):
    """``positive_data_acceptance``, except that a schema-valid request refused by a rule of the exchange is right.

    A request the schema allows can still break a rule no schema states: a deadline in the past, a USCC whose check
    character is wrong, a registration code that names no product. The services refuse those with a domain error,
    which the exception handler (accounts/api/exceptions.py) answers as 400 with a ``detail`` sentence. A 400 that
    is only a serializer's field messages (no ``detail``) still fails: the serializer is stricter than the schema.
    """
    if response.status_code == 400:
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("detail"):
            return None
    return positive_data_acceptance(ctx, response, case)


# Checks that cannot hold for an operation, and why.
EXCLUDED = {
    "POST /api/v1/auth/token/": {
        positive_data_acceptance: "DRF's ObtainAuthToken answers a user name and password that do not match with "
        "400 (non_field_errors); no schema can tell which credentials exist.",
    },
    "GET /api/v1/matches/": {
        positive_data_acceptance: "the demand and product filters take only ids the caller may see "
        "(django-filter's ModelChoiceFilter answers any other id with 400).",
    },
    "GET /api/v1/offers/": {
        positive_data_acceptance: "the demand and product filters take only ids the caller may see "
        "(django-filter's ModelChoiceFilter answers any other id with 400).",
    },
    "POST /api/v1/quotes/": {
        positive_data_acceptance: "a quote names a product code and plan id that must be on offer; any other is "
        "refused with 400 naming the field.",
    },
    "POST /api/v1/registrations/": {
        negative_data_rejection: "in a multipart body every value is text, so a coverage case of the wrong JSON type "
        "arrives as a valid string (the draft is saved); schemathesis still counts it as negative.",
    },
    "POST /api/v1/api-keys/": {
        negative_data_rejection: "in a form or multipart body an empty field means no value (DRF's HTML-form "
        "convention): an empty expires_at is a key that does not expire, not an invalid date-time.",
    },
}
# Lists: an empty or unrecognised query value counts as not given ("?kind=" and "?mine=null" filter nothing, as
# django-filter reads them; "?page=" is the first page, as DRF's pagination reads it), so a query the schema calls
# invalid still lists. Hence no negative_data_rejection for an operation with query parameters.
FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


def _checks(case) -> dict:
    """``call_and_validate``'s check arguments for this case: every check, but the exclusions above."""
    excluded = set(EXCLUDED.get(case.operation.label, {}))
    if any(p.get("in") == "query" for p in case.operation.definition.raw.get("parameters", [])):
        excluded.add(negative_data_rejection)
    additional = [] if positive_data_acceptance in excluded else [positive_data_accepted]
    return {"excluded_checks": [positive_data_acceptance, *excluded], "additional_checks": additional}


def _call_and_validate(case):
    if case.media_type in FORMS and isinstance(case.body, dict) and case.meta and case.meta.generation.mode.is_positive:
        # A form carries no null: an empty field is how it says "no value" (DRF reads "" as None where null is
        # allowed), whereas schemathesis would send the text "null".
        case.body = {name: "" if value is None else value for name, value in case.body.items()}
    case.call_and_validate(**_checks(case))


# The signed-in run's credentials are fixed (schemathesis applies them while collecting, before any fixture runs):
# the ``world`` fixture gives them to the merchant and to its organisation's data-API key.
TOKEN = "schemathesis0merchant0and0buyer000token"
API_KEY = "dxk_schemathesis_" + "S" * 43
CREDENTIALS = {"token": TOKEN, "api_key": API_KEY}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from marketplace.access import keys
    from marketplace.access.models import ApiKey

    with world_for_module(django_db_blocker) as built:
        Token.objects.create(user=built.users["merchant"], key=TOKEN)
        ApiKey.objects.filter(organization=built.merchant_org).update(
            prefix=keys.key_parse(API_KEY), key_hash=keys.key_hash(API_KEY)
        )
        yield built


class MerchantAndBuyer:
    """Schemathesis auth provider: the merchant's DRF token for /api/v1/, its organisation's key for /data/v1/.

    Given as auth (not as plain headers) so schemathesis knows the credentials are real: its ``ignored_auth``
    check then also sends each request without them, and with wrong ones, and expects a refusal.
    """

    def get(self, case, context):
        return CREDENTIALS

    def set(self, case, data, context):
        if case.path.startswith("/data/"):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data['api_key']}"}
        else:
            case.headers = {**(case.headers or {}), "Authorization": f"Token {data['token']}"}


@pytest.fixture(scope="module", autouse=True)
def _keep_the_test_connection():
    """Requests go through the WSGI handler, which closes "old" database connections when a request starts and
    ends; inside the test's transaction that would close it (PostgreSQL). Django's test client holds them open the
    same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _media_root():
    """The world's files stay in the module's folder (``world_for_module``)."""
    yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Keys, entitlements and sign-in failures cached by one operation's run do not leak into the next."""
    from django.core.cache import cache

    from marketplace.access import store

    cache.clear()
    store.clear_namespace()


@schema.parametrize()
@BOUNDED
@schema.auth.apply(MerchantAndBuyer, refresh_interval=None)
def test_api_as_merchant_and_buyer(case, world):
    """Every operation, as a signed-in merchant that also buys: only documented, well-formed answers."""
    _call_and_validate(case)


@schema.parametrize()
@BOUNDED
def test_api_as_anonymous(case, world):
    """Every operation, anonymous: the refusals (403 on /api/v1/, 401 on /data/v1/) are documented too."""
    _call_and_validate(case)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/api/v1/api-keys/null,null/"),
        ("PATCH", "/api/v1/registrations/1,2/"),
        ("POST", "/api/v1/demands/x,y/close/"),
        ("POST", "/api/v1/offers/x,y/withdraw/"),
        ("GET", "/api/v1/api-keys/0.5/"),
        ("GET", "/data/v1/no-such-endpoint"),
    ],
)
def test_api_malformed_id_or_unknown_path_is_a_json_404(world, client, method, path):
    """An id that is no number, or a path no route matches, is a 404 in JSON (it was a 500, or Django's HTML page)."""
    response = client.generic(method, path, "{}", content_type="application/json", HTTP_AUTHORIZATION=f"Token {TOKEN}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
