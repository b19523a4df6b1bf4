from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from complaints.models import Complaint

RETENTION_DAYS = 30


class Command(BaseCommand):
    help = "Blank the device and network hashes of complaints older than 30 days (nightly)."

    def handle(self, *args, **options):
        before = timezone.now() - timedelta(days=RETENTION_DAYS)
        n = (
            Complaint.objects.filter(created_at__lt=before)
            .exclude(device_hash="", network_hash="")
            .update(device_hash="", network_hash="")
        )
        self.stdout.write(f"complaints: hashes forgotten on {n} complaints")
