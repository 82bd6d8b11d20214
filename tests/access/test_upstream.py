"""The upstream proxy: refuses non-public addresses before connecting; timeout, size limit, credential injection."""

import contextlib
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
from django.urls import reverse

from accounts.exceptions import DomainError
from marketplace.access import netguard, sealing, services
from marketplace.access.models import Entitlement, UpstreamEndpoint, UsageLog
from tests.orders.support import buyer, key_for, market_product, pay_by_transfer, place, plan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "address",
    ["10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "::1", "fc00::1", "127.0.0.1", "0.0.0.0",  # noqa: S104 -- checked, never bound
     "::ffff:127.0.0.1", "100.64.0.1", "224.0.0.1", "fe80::1", "fd00:ec2::254", "not-an-ip"],
)  # fmt: skip
def test_address_check_refuses_private_loopback_link_local_and_metadata(address):
    """The pure address check (no connection is made) refuses every non-public address."""
    assert netguard.address_is_public(address) is False


@pytest.mark.parametrize("address", ["1.1.1.1", "2400:3200::1"])
def test_address_check_accepts_public_addresses(address):
    """Globally routable addresses pass the check (nothing is connected to here)."""
    assert netguard.address_is_public(address) is True


class Recorder(BaseHTTPRequestHandler):
    """A tiny upstream on 127.0.0.1 that records what it receives and answers as the test says."""

    def do_GET(self):
        self.server.received.append({"path": self.path, "headers": dict(self.headers)})
        behaviour = self.server.behaviour
        if behaviour == "slow":
            time.sleep(3)
        body = b"x" * 5000 if behaviour == "large" else json.dumps({"status": "存续", "score": 87}).encode()
        self.send_response(500 if behaviour == "error" else 200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the proxy may hang up first (timeout, size limit)
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def upstream_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.received, server.behaviour = [], "ok"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def api_product():
    """A buyer with 5 calls of an upstream API product and a key."""
    product, org, actor = market_product(modes=("api",))
    the_plan = plan(product, org, actor, mode="api", price="1.00")
    buyer_org, buyer_user = buyer()
    order = pay_by_transfer(place(buyer_org, buyer_user, product, the_plan, quantity=5))
    _key, secret = key_for(buyer_org, buyer_user)
    return {"product": product, "org": org, "actor": actor, "order": order, "secret": secret}


def register(product, url, credential="merchant-secret-token"):
    """The endpoint as stored (as if its host had resolved to a public address at registration)."""
    return UpstreamEndpoint.objects.create(
        product=product, url=url, auth_header="X-Api-Key", credential_encrypted=sealing.credential_seal(credential)
    )


def call(client, bought, **params):
    return client.get(
        reverse("data-upstream", args=[bought["product"].code]), params, HTTP_AUTHORIZATION=f"Bearer {bought['secret']}"
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_proxy_refuses_loopback_before_any_connection(client, api_product, upstream_server, settings, host):
    """An endpoint on a loopback address, or on a name resolving to one, is refused (502) before connecting:
    no socket connects and the listening server receives nothing; the call costs nothing."""
    settings.UPSTREAM_ALLOWED_HOSTS = []
    register(api_product["product"], f"http://{host}:{upstream_server.server_port}/check")

    with mock.patch.object(socket, "create_connection", wraps=socket.create_connection) as connect:
        response = call(client, api_product, uscc="91350100M000100Y43")

    assert response.status_code == 502
    assert response.json()["code"] == "upstream_refused"
    connect.assert_not_called()
    assert upstream_server.received == []
    assert Entitlement.objects.get(order=api_product["order"]).used == 0
    assert UsageLog.objects.get().status == 502


def test_proxy_injects_the_credential_and_passes_the_answer(client, api_product, upstream_server, settings):
    """Allowed (test allowlist), the call reaches the endpoint with the merchant's credential and the buyer's
    query; the buyer gets the answer and never the credential; one call is counted."""
    settings.UPSTREAM_ALLOWED_HOSTS = ["127.0.0.1"]
    register(api_product["product"], f"http://127.0.0.1:{upstream_server.server_port}/check?v=1")

    response = call(client, api_product, uscc="91350100M000100Y43")

    assert response.status_code == 200
    assert response.json() == {"status": "存续", "score": 87}
    [received] = upstream_server.received
    assert received["headers"]["X-Api-Key"] == "merchant-secret-token"
    assert received["path"] == "/check?v=1&uscc=91350100M000100Y43"
    assert "merchant-secret-token" not in response.content.decode()
    assert Entitlement.objects.get(order=api_product["order"]).used == 1


@pytest.mark.parametrize("behaviour", ["slow", "large", "error"])
def test_proxy_failures_give_the_unit_back(client, api_product, upstream_server, settings, behaviour):
    """A timeout, an answer above the size limit or an upstream 5xx: 502 to the buyer, and no quota used."""
    settings.UPSTREAM_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.UPSTREAM_TIMEOUT_SECONDS = 1
    settings.UPSTREAM_MAX_BYTES = 1000
    upstream_server.behaviour = behaviour
    register(api_product["product"], f"http://127.0.0.1:{upstream_server.server_port}/check")

    response = call(client, api_product)

    assert response.status_code == 502
    assert response.json()["code"] == "upstream_failed"
    assert Entitlement.objects.get(order=api_product["order"]).used == 0
    assert UsageLog.objects.get().served is False


def test_endpoint_save_refuses_private_urls_and_encrypts_the_credential(api_product, settings):
    """Registering a private address is refused; a public one is stored with the credential encrypted."""
    settings.UPSTREAM_ALLOWED_HOSTS = []
    product, org, actor = api_product["product"], api_product["org"], api_product["actor"]

    with pytest.raises(DomainError) as refused:
        services.upstream_endpoint_save(org=org, actor=actor, product=product, url="http://169.254.169.254/latest")
    with mock.patch.object(socket, "getaddrinfo", return_value=[(2, 1, 6, "", ("1.1.1.1", 443))]):
        endpoint = services.upstream_endpoint_save(
            org=org, actor=actor, product=product, url="https://api.merchant.example/v1", credential="tok-123"
        )

    assert "url" in refused.value.errors
    assert "tok-123" not in endpoint.credential_encrypted
    assert sealing.credential_open(endpoint.credential_encrypted) == "tok-123"
