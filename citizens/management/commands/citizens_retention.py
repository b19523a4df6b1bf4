"""Enforces the retention periods of docs/privacy.md (run by `manage.py nightly`)."""

from django.core.management.base import BaseCommand

from citizens import services


class Command(BaseCommand):
    help = "Remove personal data past its retention period (docs/privacy.md)."

    def handle(self, *args, **options):
        counts = services.retention_enforce()
        self.stdout.write(
            "citizens_retention: {codes} unconfirmed contacts, {citizens} inactive accounts, "
            "{complaints} complaints' and {feedback} answers' contact details removed".format(
                **counts
            )
        )
