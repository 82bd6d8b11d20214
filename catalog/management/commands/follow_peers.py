"""Follow the feeds of trusted peer exchanges (what the periodic task does), once or in a loop."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from catalog import services
from catalog.models import Peer


class Command(BaseCommand):
    help = "Follow every trusted peer's feed: verify and apply new events; --once for a single pass."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--peer", help="Only this peer (exchange code).")
        parser.add_argument("--from-start", action="store_true", help="Follow again from the first event.")

    def handle(self, *args, once=False, peer=None, from_start=False, **options):
        while True:
            peers = Peer.objects.filter(is_trusted=True)
            if peer:
                peers = peers.filter(exchange_code=peer.upper())
            for each in peers:
                if from_start:
                    services.peer_reset_cursor(peer=each, cursor=0)
                result = services.peer_follow(peer=each)
                line = f"{result.peer}: applied {result.applied} of {result.fetched}, cursor {result.cursor}"
                self.stdout.write(line + (f", error: {result.error}" if result.error else ""))
            from_start = False
            expired = services.peer_certificates_expire()
            notified = services.recognitions_notify_pending()
            if expired or notified:
                self.stdout.write(f"expired {expired}, recognitions notified {notified}")
            if once:
                return
            time.sleep(settings.PEER_POLL_SECONDS)
