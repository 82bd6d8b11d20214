"""Start signing with a new Ed25519 key; the old public key stays published while its certificates live."""

from django.core.management.base import BaseCommand, CommandError

from accounts.exceptions import DomainError
from catalog import services


class Command(BaseCommand):
    help = (
        "Generate a new signing key file and start signing with it. The old public key stays in the JWK Set "
        "while unexpired certificates it signed exist. With --compromised the old key is withdrawn at once "
        "and every certificate it signed is re-issued."
    )

    def add_arguments(self, parser):
        parser.add_argument("--compromised", action="store_true", help="Withdraw the old key now and re-issue.")
        parser.add_argument("--reason", default="", help="Why (required with --compromised).")

    def handle(self, *args, compromised=False, reason="", **options):
        try:
            key = services.signing_key_rotate(compromised=compromised, reason=reason)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"now signing with {key.kid}")
