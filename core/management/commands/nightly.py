"""The nightly upkeep in one command, for cron (README "Production"):

    15 2 * * *  cd /srv/citizeninfo && .venv/bin/python manage.py nightly

Each step is one of the project's own commands; a failing step is reported and the others
still run, and the command exits 1 if any failed, so cron mails the operator.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

STEPS = [
    # Device and network hashes older than FEEDBACK_HASH_RETENTION_DAYS are blanked (ADR 0040).
    ("feedback_forget_hashes", [], {}),
    # Process tallies counted again, in case a bulk load or SQL bypassed the signals (ADR 0060).
    ("progress_refresh", [], {}),
    # The map's cell table recounted: cheap, and right even after raw SQL on the points (0014).
    ("service_points_rebuild_cells", [], {}),
    # Four weeks after "fixed", each reporter is asked once whether it still is (complaints).
    ("complaints_send_questionnaires", [], {}),
    # Complaints' device and network hashes are blanked after 30 days, like feedback's.
    ("complaints_forget_hashes", [], {}),
    # Personal data past its retention (docs/privacy.md): contacts, idle citizen accounts.
    ("citizens_retention", [], {}),
    # Citizens who consented are mailed about new readings of their data (a background task).
    ("citizens_notify_readings", [], {}),
    # LINE: sealed user ids of long-done complaints erased (line_channel, ADR 0120).
    ("line_forget", [], {}),
    # Expired sessions.
    ("clearsessions", [], {}),
]


class Command(BaseCommand):
    help = "Run the nightly upkeep: forget old feedback hashes, recount tallies and map cells."

    def handle(self, *args, **options):
        failed = []
        for name, step_args, step_options in STEPS:
            self.stdout.write(f"==> {name}")
            try:
                call_command(name, *step_args, stdout=self.stdout, **step_options)
            except Exception as error:  # noqa: BLE001 - one broken step must not stop the rest
                failed.append(name)
                self.stderr.write(f"{name} failed: {error!r}")
        if failed:
            raise CommandError(f"nightly: {', '.join(failed)} failed")
        self.stdout.write("nightly: all steps done")
