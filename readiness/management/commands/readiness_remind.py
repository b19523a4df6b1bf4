from django.core.management.base import BaseCommand, CommandError

from readiness import selectors, tasks
from readiness.models import SurveyRound


class Command(BaseCommand):
    help = "Queue reminder emails to agencies that pinned but have not answered the survey."

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, help="Round id (default: the open round)")
        parser.add_argument(
            "--base-url",
            default="https://citizen.info.go.th/",
            help="Where the portal runs, for the link in the email",
        )

    def handle(self, *args, round=None, base_url="", **options):
        found = (
            SurveyRound.objects.filter(pk=round).first()
            if round
            else selectors.survey_round_current()
        )
        if found is None:
            raise CommandError("No such round, and no round is open today.")
        agencies = selectors.agencies_to_remind(round=found).count()
        tasks.send_reminders.enqueue(round_id=found.pk, by_id=None, base_url=base_url)
        self.stdout.write(f"Queued reminders for {agencies} agencies in round {found.pk}.")
