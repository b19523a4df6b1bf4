from django.core.management.base import BaseCommand

from progress.services import process_tally_refresh


class Command(BaseCommand):
    help = "Counts every agency's Citizen's Manual processes again (after a bulk load)."

    def handle(self, *args, **options):
        count = process_tally_refresh(agency_ids=None)
        self.stdout.write(f"{count} agencies counted")
