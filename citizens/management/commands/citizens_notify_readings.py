"""Queues the daily mail about new readings to citizens who consented (in `nightly`)."""

from django.core.management.base import BaseCommand

from citizens.tasks import notify_new_readings


class Command(BaseCommand):
    help = "Queue the email about new readings of their data to citizens who consented."

    def handle(self, *args, **options):
        notify_new_readings.enqueue()
        self.stdout.write("citizens_notify_readings: queued")
