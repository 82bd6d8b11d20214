"""Fixtures of the interop tests: our signing key in a throw-away folder, a registered product, and a fake peer.

The fake peer is another exchange living in memory: its own Ed25519 key, certificates and signed feed.
Tests put it behind ``catalog.interop.client`` with ``fake_peer.install(monkeypatch)``; nothing reaches
the network.
"""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from catalog import services, signing
from catalog.codes import format_code
from catalog.interop import client
from catalog.models import Peer, Product
from tests.factories import OrganizationFactory, draft_product, member, operator


@pytest.fixture(autouse=True)
def _signing_key(settings, tmp_path):
    """Each test signs with its own key file, created on first use."""
    settings.SIGNING_KEY = ""
    settings.SIGNING_KEY_FILE = tmp_path / "signing" / "ed25519.pem"
    settings.EXCHANGE_CODE = "AAX"
    settings.EXCHANGE_NAME = "甲数据交易所"
    settings.SITE_URL = "http://testserver"


def registered_product(org=None, **overrides) -> Product:
    """A product registered here through the services: submitted, reviewed, noticed, completed."""
    org = org or OrganizationFactory()
    merchant = member(org)
    product = services.product_submit(product=draft_product(org, merchant, **overrides), actor=merchant)
    reviewer = operator()
    services.registration_start_review(product=product, actor=reviewer)
    services.registration_approve(product=product, actor=reviewer)
    Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(seconds=1))
    return services.registration_complete(product=product)


class FakePeer:
    """Another exchange (``BBX``): signs certificates, events and requests with its own key."""

    def __init__(self, code: str = "BBX", base_url: str = "http://bbx.test"):
        self.code = code
        self.base_url = base_url
        self.key = signing.generate_private_key()
        self.jwk = signing.public_jwk(self.key.public_key())
        self.kid = self.jwk["kid"]
        self.events: list[str] = []
        self.certificates: dict[str, dict] = {}
        self.seq = 0
        self.serial = 0
        self.posted: list[str] = []

    @property
    def jwks(self) -> dict:
        return {"keys": [self.jwk]}

    def sign(self, payload: dict, typ: str, key=None, kid=None) -> str:
        return signing.sign_with(key or self.key, kid or self.kid, payload, typ)

    def new_code(self, section: str = "J") -> str:
        self.serial += 1
        return format_code(self.code, 2026, section, self.serial)

    def certificate_payload(
        self,
        code: str,
        *,
        uscc: str,
        holder: str = "某某数据科技有限公司",
        name="企业经营异常核验",
        ver: int = 1,
        exp_in: int = 3600 * 24 * 365,
        **extra,
    ) -> dict:
        now = int(time.time())
        payload = {
            "iss": self.code,
            "code": code,
            "ver": ver,
            "iat": now - 60,
            "nbf": now - 60,
            "exp": now + exp_in,
            "holder": {"name": holder, "uscc": uscc},
            "product": {
                "name": name,
                "summary": "核验企业是否列入经营异常名录",
                "section": code.split("-")[2],
                "delivery_modes": ["api", "verification"],
                "data_source_type": "enterprise",
                "classification": "general",
                "update_frequency": "daily",
            },
            "rights": ["processing_use", "product_operation"],
            "price_regime": "market",
        }
        payload.update(extra)
        return payload

    def issue(
        self, code: str, *, uscc: str, ver: int = 1, status: str = "active", event: str | None = None, **kw
    ) -> str:
        """Issue (or re-issue) a certificate and append its event to the feed; returns the JWS."""
        token = self.sign(self.certificate_payload(code, uscc=uscc, ver=ver, **kw), signing.CERT_TYP)
        self.certificates[code] = {
            "code": code,
            "certificate": token,
            "status": status,
            "status_changed_at": "2026-01-01T00:00:00Z",
        }
        self.append(
            event or ("certificate.issued" if ver == 1 else "certificate.updated"), code, ver, certificate=token
        )
        return token

    def set_status(self, code: str, status: str) -> None:
        event = {
            "suspended": "certificate.suspended",
            "active": "certificate.reinstated",
            "revoked": "certificate.revoked",
        }
        self.certificates[code]["status"] = status
        ver = signing.parse(self.certificates[code]["certificate"]).payload["ver"]
        self.append(event[status], code, ver)

    def append(self, kind: str, code: str, ver: int, **extra) -> str:
        self.seq += 1
        payload = {
            "iss": self.code,
            "seq": self.seq,
            "type": kind,
            "code": code,
            "ver": ver,
            "at": "2026-01-01T00:00:00Z",
            **extra,
        }
        token = self.sign(payload, signing.EVENT_TYP)
        self.events.append(token)
        return token

    # --- what catalog.interop.client would fetch -------------------------------------------

    def discover(self, base_url, **kwargs):
        return {
            "exchange_code": self.code,
            "name": "乙数据交易所",
            "base_url": self.base_url,
            "jwks_uri": self.base_url + "/interop/v1/jwks.json",
            "endpoints": dict(client.DEFAULT_ENDPOINTS),
        }

    def fetch_jwks(self, uri, **kwargs):
        return self.jwks

    def fetch_certificate(self, peer, code, **kwargs):
        if code not in self.certificates:
            raise client.PeerError(f"{code} answered 404", status=404)
        return dict(self.certificates[code])

    def fetch_feed(self, peer, *, after, limit=1000, **kwargs):
        pending = [token for token in self.events if signing.parse(token).payload["seq"] > after]
        page = pending[:limit]
        return {"events": page, "next_after": after + len(page), "has_more": len(pending) > limit}

    def post_recognition(self, peer, *, code, listing_url, **kwargs):
        self.posted.append(code)
        return {"code": code, "recognized_by": "AAX", "recognized_at": "2026-01-01T00:00:00Z"}

    def install(self, monkeypatch) -> "FakePeer":
        for name in ("discover", "fetch_jwks", "fetch_certificate", "fetch_feed", "post_recognition"):
            monkeypatch.setattr(client, name, getattr(self, name))
        return self

    def register(self, *, trusted: bool = True) -> Peer:
        """This peer as our operators would have registered it."""
        return Peer.objects.create(
            exchange_code=self.code,
            name="乙数据交易所",
            base_url=self.base_url,
            jwks_uri=self.base_url + "/interop/v1/jwks.json",
            endpoints=dict(client.DEFAULT_ENDPOINTS),
            jwks=self.jwks,
            jwks_fetched_at=timezone.now(),
            is_trusted=trusted,
        )

    def request(
        self, payload: dict, *, aud: str = "AAX", iat: int | None = None, jti: str | None = None, key=None
    ) -> str:
        """A signed request (§5) from this peer to us."""
        body = {
            **payload,
            "iss": self.code,
            "aud": aud,
            "iat": int(time.time()) if iat is None else iat,
            "jti": jti or f"jti-{time.time_ns()}",
        }
        return self.sign(body, signing.REQUEST_TYP, key=key)


@pytest.fixture
def fake_peer(monkeypatch) -> FakePeer:
    return FakePeer().install(monkeypatch)
