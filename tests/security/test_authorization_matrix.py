"""The authorisation matrix: every page and API operation, requested as each of six personas, answers as declared.

The rules live in tests/security/access_rules.py (what ``allow``, ``deny`` and ``404`` mean is written there);
the personas and the objects the URLs name in tests/security/world.py. A URL pattern or an API operation without
a rule fails ``test_every_route_has_a_declared_rule``, naming what is missing.
"""

import copy
import json
import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path, resolve, reverse
from django.urls.exceptions import Resolver404
from rest_framework.authtoken.models import Token

from tests.security.access_rules import ALLOW, API, DENY, HIDDEN, PAGES, SKIPPED, Rule
from tests.security.world import PERSONAS, World, world_for_module

pytestmark = pytest.mark.django_db

REDIRECTS = {301, 302, 303, 307, 308}


# ── What exists: URL patterns and API operations ─────────────────────────────────────────────────────────────


def _walk(patterns, prefix="", namespace=None):
    """Yield ``(route, name)`` for every URL pattern, with namespaced includes and DRF routers flattened."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield prefix + str(pattern.pattern), name


def _skipped(route: str, name: str | None) -> bool:
    for key, kind in SKIPPED.items():
        if (kind == "prefix" and route.startswith(key)) or (kind == "route" and route == key):
            return True
        if kind == "name" and name == key:
            return True
    return False


def api_operations() -> dict[str, dict]:
    """Every operation of the OpenAPI schema drf-spectacular generates, as ``{"METHOD /path": operation}``."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        f"{method.upper()} {route}": operation
        for route, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }


def _sample_path(route: str) -> str:
    """A concrete path for a schema path, to find the URL pattern serving it."""
    return re.sub(r"\{[^}]+\}", "1", route)


def route_keys() -> tuple[set[str], set[str]]:
    """The keys the tables must declare: page keys (URL name, or the route of an unnamed pattern) of every URL
    pattern the API schema does not describe, and the schema's operations."""
    operations = api_operations()
    served_by_api = set()
    for key in operations:
        try:
            match = resolve(_sample_path(key.split(" ", 1)[1]))
        except Resolver404:
            continue
        served_by_api.add(match.view_name)
    pages = set()
    for route, name in _walk(get_resolver().url_patterns):
        if _skipped(route, name):
            continue
        if name is not None and name in served_by_api:
            continue
        pages.add(name or route)
    return pages, set(operations)


# ── The world, the personas' clients, the requests ───────────────────────────────────────────────────────────


@pytest.fixture(autouse=True)
def _media_root():
    """The files of the world (covers, samples, the licence) stay in the module's media folder (``world``)."""
    yield


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One exchange for the whole module, with each persona's clients: signed in by session, and by API token."""
    with world_for_module(django_db_blocker) as built:
        sessions, tokens = {}, {}
        for persona, user in built.users.items():
            sessions[persona] = Client()
            tokens[persona] = Client()
            if user is not None:
                sessions[persona].force_login(user)
                tokens[persona].defaults["HTTP_AUTHORIZATION"] = f"Token {Token.objects.create(user=user).key}"
        built.clients = {"session": sessions, "token": tokens}
        yield built


def _value(world: World, path: str):
    """An attribute path into the world ("order.payment.pk"), or a literal ("approve") if it names none."""
    if not hasattr(world, path.split(".", 1)[0]):
        return path
    value = world
    for attribute in path.split("."):
        value = getattr(value, attribute)
    return value


def _url(key: str, rule: Rule, world: World) -> str:
    kwargs = {name: _value(world, path) for name, path in rule.kwargs.items()}
    if key in API:
        api_path = key.split(" ", 1)[1]
        for name, value in kwargs.items():
            api_path = api_path.replace("{" + name + "}", str(value))
        return api_path
    return rule.url or reverse(key, kwargs=kwargs)


def classify(response) -> str:
    """``allow``, ``deny``, ``404``, or ``error`` (5xx) — see tests/security/access_rules.py."""
    status = response.status_code
    if status >= 500:
        return f"error {status}"
    if status in (401, 403):
        return DENY
    if status in REDIRECTS:
        return DENY if urlsplit(response["Location"]).path == reverse("accounts:login") else ALLOW
    if status == 404:
        return HIDDEN
    return ALLOW


def request_as(world: World, persona: str, key: str, rule: Rule, method: str):
    """Make the request in a transaction rolled back afterwards; return the response."""
    url = _url(key, rule, world)
    if key.startswith(("GET /data/", "POST /data/")):
        client = Client()
        if secret := world.api_secrets.get(persona):
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    else:
        client = world.clients["token" if key in API else "session"][persona]
    cookies = copy.deepcopy(client.cookies)  # signing out (or in) must not change the next request's session
    try:
        with transaction.atomic():
            if method == "GET":
                response = client.get(url)
            elif key in API:
                body = "" if method == "DELETE" else json.dumps({})
                response = client.generic(method, url, body, content_type="application/json")
            else:
                response = client.generic(method, url, "", content_type="application/x-www-form-urlencoded")
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
        _forget_cached_state()
    return response


def _forget_cached_state():
    """The data API caches keys and entitlements, sign-in counts failures: none outlives the rolled-back request."""
    from marketplace.access import store

    cache.clear()
    store.clear_namespace()


# ── The tests ───────────────────────────────────────────────────────────────────────────────────────────────


def test_every_route_has_a_declared_rule():
    """Every URL pattern and API operation has a row in access_rules.py, and every row names one that exists."""
    pages, operations = route_keys()

    missing_pages = sorted(pages - set(PAGES))
    missing_api = sorted(operations - set(API))
    stale = sorted((set(PAGES) - pages) | (set(API) - operations))

    message = []
    if missing_pages:
        message.append(
            "URL patterns without a rule in tests/security/access_rules.py PAGES:\n  " + "\n  ".join(missing_pages)
        )
    if missing_api:
        message.append(
            "API operations without a rule in tests/security/access_rules.py API:\n  " + "\n  ".join(missing_api)
        )
    if stale:
        message.append("Rules naming no route (renamed or removed?):\n  " + "\n  ".join(stale))
    assert not message, "\n".join(message) + "\nDeclare who may use each (see the module docstring)."


@pytest.mark.parametrize("key", [*PAGES, *API])
def test_route_answers_each_persona_as_declared(world, key):
    """Each persona gets the declared outcome for each method of the route."""
    rule = PAGES.get(key) or API[key]
    methods = (key.split(" ", 1)[0],) if key in API else rule.methods

    failures = []
    for method in methods:
        for persona in PERSONAS:
            try:
                response = request_as(world, persona, key, rule, method)
            except Exception as error:  # the view crashed: report it with who asked, not as a bare traceback
                got, detail = "error", f"{type(error).__name__}: {error}"
            else:
                got, where = classify(response), response.get("Location", "")
                detail = f"{response.status_code}{' → ' + where if where else ''}"
            if got != rule.expect[persona]:
                failures.append(
                    f"  {persona:<16} {method:<6} {_url(key, rule, world):<60} expected {rule.expect[persona]:<5} "
                    f"got {got} ({detail})"
                )

    assert not failures, f"{key}:\n" + "\n".join(failures)


def _new_page(request):  # pragma: no cover - only routed, never requested
    raise AssertionError


urlpatterns = [  # ROOT_URLCONF of the next test: the project's routes and one more, without a rule
    path("", include("marketplace.urls")),
    path("brand-new/<int:pk>/", _new_page, name="brand-new"),
]


def test_a_new_route_without_a_rule_is_named():
    """Adding a URL pattern without declaring who may use it makes the completeness check list it."""
    with override_settings(ROOT_URLCONF=__name__):
        pages, _operations = route_keys()

    assert pages - set(PAGES) == {"brand-new"}
