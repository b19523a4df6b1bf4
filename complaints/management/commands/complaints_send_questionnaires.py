from django.core.management.base import BaseCommand

from complaints.services import questionnaire_send_due


class Command(BaseCommand):
    help = "Ask reporters, four weeks after a fix, whether it still is (run daily by nightly)."

    def handle(self, *args, **options):
        sent = questionnaire_send_due()
        self.stdout.write(f"complaints: {sent} four-week questions sent")
