"""Run the periodic tasks of CELERY_BEAT_SCHEDULE in-process, for the embedded default.

Production runs ``celery beat``; ``make run`` starts this companion process so the
demo closes public notices (and later follows peers' feeds) the same way.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from marketplace.celery import app


class Command(BaseCommand):
    help = "Run the periodic tasks in a loop (the embedded default's stand-in for celery beat)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every periodic task once and exit.")

    def handle(self, *args, once=False, **options):
        # Celery imports the apps' tasks modules lazily (a worker does it at start): do it here too.
        app.loader.import_default_modules()
        schedule = settings.CELERY_BEAT_SCHEDULE
        failed = False
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
                        failed = True
                    next_run[name] = now + entry["schedule"].total_seconds()
            if once:
                if failed:
                    raise CommandError("A periodic task failed.")
                return
            time.sleep(1)
