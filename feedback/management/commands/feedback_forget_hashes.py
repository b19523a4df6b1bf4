from django.core.management.base import BaseCommand

from feedback.services import response_forget_hashes


class Command(BaseCommand):
    help = "Blank device and network hashes older than FEEDBACK_HASH_RETENTION_DAYS (daily cron)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, days=None, **options):
        count = response_forget_hashes(older_than_days=days)
        self.stdout.write(f"{count} responses forgot their hashes.")
