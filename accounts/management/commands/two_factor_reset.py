"""Remove a person's two-factor authenticator (a lost phone): they set up a new one at their next sign-in."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.two_factor import two_factor_reset


class Command(BaseCommand):
    help = "Remove USERNAME's authenticator and recovery codes (recorded in the audit trail with the reason)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="Why, e.g. the ticket of the identity check.")

    def handle(self, *args, username, reason, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        two_factor_reset(user=user, reason=reason)
        self.stdout.write(self.style.SUCCESS(f"Two-factor sign-in of {username} reset; they enrol again next time."))
