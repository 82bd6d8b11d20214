"""Seeding and inspecting one running exchange from the outside, for the two-instance tests.

Run as ``python -m tests.interop.seed '<json list of [action, {kwargs}]>'`` with the instance's
environment; prints one JSON list with each action's result. Actions go through the services
(and management commands), exactly as pages and tasks would.
"""

import json
import os
import sys
from datetime import timedelta
from io import StringIO


def main(argv: list[str]) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    django.setup()
    from accounts import context

    context.bind(label="seed")
    steps = json.loads(argv[1])
    results = [ACTIONS[name](**kwargs) for name, kwargs in steps]
    sys.stdout.write("\n" + json.dumps(results, ensure_ascii=False, default=str) + "\n")


def setup(*, operator: str, merchant: str, org_name: str, uscc: str) -> dict:
    from django.contrib.auth.models import Group

    from accounts.models import Membership, Organization, User

    staff = User.objects.create(username=operator, display_name=operator)
    staff.groups.add(Group.objects.get(name="operator"))
    person = User.objects.create(username=merchant, display_name=merchant)
    org = Organization.objects.create(
        name=org_name, uscc=uscc, is_merchant=True, is_buyer=True, status=Organization.Status.VERIFIED
    )
    Membership.objects.create(user=person, organization=org, role=Membership.Role.OWNER)
    return {"org": org.pk}


def register(*, uscc: str, merchant: str, operator: str, name: str) -> str:
    from django.utils import timezone

    from accounts.models import Organization, User
    from catalog import services
    from catalog.models import Product
    from tests.factories import draft_product

    org = Organization.objects.get(uscc=uscc)
    person, staff = User.objects.get(username=merchant), User.objects.get(username=operator)
    product = services.product_submit(product=draft_product(org, person, name=name, section="J"), actor=person)
    services.registration_start_review(product=product, actor=staff)
    services.registration_approve(product=product, actor=staff)
    Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(seconds=1))
    return services.registration_complete(product=product).code


def command(*, name: str, args: list[str]) -> str:
    from django.core.management import call_command

    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def recognize(*, merchant: str, code: str) -> str:
    from accounts.exceptions import DomainError
    from accounts.models import User
    from accounts.selectors import organizations_of
    from catalog import services

    person = User.objects.get(username=merchant)
    try:
        return services.recognition_create(org=organizations_of(person).get(), actor=person, code=code).code
    except DomainError as exc:
        return f"refused: {exc.message}"


def _product(code: str):
    from catalog.models import Product

    return Product.objects.get(code=code)


def approve(*, operator: str, code: str) -> str:
    from accounts.models import User
    from catalog import services

    return services.listing_approve(listing=_product(code).listing, actor=User.objects.get(username=operator)).status


def decide(*, operator: str, code: str, action: str, reason: str = "测试") -> str:
    from accounts.models import User
    from catalog import services

    actor = User.objects.get(username=operator)
    product = getattr(services, f"registration_{action}")(product=_product(code), actor=actor, reason=reason)
    return product.status


def state(*, code: str = "", peer: str = "") -> dict:
    from accounts.models import AuditEntry
    from catalog.models import Listing, Peer, PeerCertificate, Product, Recognition

    result: dict = {"audit_entries": AuditEntry.objects.count(), "peer_certificates": PeerCertificate.objects.count()}
    if peer:
        row = Peer.objects.get(exchange_code=peer)
        result["peer"] = {
            "cursor": row.cursor,
            "last_error": row.last_error,
            "trusted": row.is_trusted,
            "last_success_at": row.last_success_at,
        }
    if code:
        product = Product.objects.filter(code=code).first()
        listing = Listing.objects.filter(product=product).first() if product else None
        pc = PeerCertificate.objects.filter(code=code).first()
        recognition = Recognition.objects.filter(code=code).first()
        result.update(
            product=product and product.status,
            listing=listing and listing.status,
            listing_reason=listing and listing.status_reason,
            peer_certificate=pc and {"status": pc.status, "ver": pc.ver, "last_event_seq": pc.last_event_seq},
            recognition=recognition
            and {
                "recognized_by": recognition.recognized_by,
                "notified_at": recognition.notified_at,
                "notify_error": recognition.notify_error,
            },
        )
    return result


def session(*, username: str) -> str:
    """A signed-in session for ``username`` (the tests set it as a cookie instead of typing a password)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    user = User.objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


ACTIONS = {
    "setup": setup,
    "register": register,
    "command": command,
    "recognize": recognize,
    "approve": approve,
    "decide": decide,
    "state": state,
    "session": session,
}

if __name__ == "__main__":
    main(sys.argv)
