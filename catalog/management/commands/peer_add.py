"""Register a peer exchange by its base URL (interop-v1 §1): fetch discovery and keys, show fingerprints."""

from django.core.management.base import BaseCommand, CommandError

from accounts.exceptions import DomainError
from catalog import services, signing


class Command(BaseCommand):
    help = "Register a peer exchange by its base URL; --trust trusts it at once (after you compared the fingerprints)."

    def add_arguments(self, parser):
        parser.add_argument("base_url", help="The peer's base URL, e.g. https://shdx.example")
        parser.add_argument("--trust", action="store_true", help="Trust the peer now.")

    def handle(self, *args, base_url, trust=False, **options):
        try:
            peer = services.peer_add(base_url=base_url, trust=trust)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{peer.exchange_code} {peer.name} at {peer.base_url}")
        for jwk in peer.jwks.get("keys", []):
            self.stdout.write(f"  key {jwk.get('kid')}: {signing.fingerprint(jwk)}")
        self.stdout.write("trusted" if peer.is_trusted else "not trusted yet: compare the fingerprints, then trust it")
