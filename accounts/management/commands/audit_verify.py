"""Verify the hash chain of the audit trail and name the first broken entry."""

from django.core.management.base import BaseCommand, CommandError

from accounts.audit import audit_verify_chain
from accounts.models import AuditEntry


class Command(BaseCommand):
    help = "Check every audit entry's hash and link; exit 1 naming the first broken entry."

    def handle(self, *args, **options):
        broken = audit_verify_chain()
        if broken:
            raise CommandError(f"Audit chain broken at entry #{broken.seq}: {broken.problem}")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {AuditEntry.objects.count()} entries."))
