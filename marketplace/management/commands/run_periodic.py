"""Run the periodic tasks of CELERY_BEAT_SCHEDULE in-process, for the embedded default.

Production runs ``celery beat``; ``make run`` starts this companion process so the
demo closes public notices (and later follows peers' feeds) the same way.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from marketplace.celery import app


class Command(BaseCommand):
    help = "Run the periodic tasks in a loop (the embedded default's stand-in for celery beat)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every periodic task once and exit.")

    def handle(self, *args, once=False, **options):
        schedule = settings.CELERY_BEAT_SCHEDULE
        next_run = dict.fromkeys(schedule, 0.0)
        while True:
            now = time.monotonic()
            for name, entry in schedule.items():
                if now >= next_run[name]:
                    try:
                        result = app.tasks[entry["task"]].apply().get()
                        self.stdout.write(f"{name}: {result}")
                    except Exception as exc:  # keep the loop alive; the error is reported
                        self.stderr.write(f"{name} failed: {exc!r}")
                    next_run[name] = now + entry["schedule"].total_seconds()
            if once:
                return
            time.sleep(1)
