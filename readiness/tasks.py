from django_tasks import task

from accounts.models import User
from readiness.models import SurveyRound
from readiness.services import readiness_send_reminders


@task()
def send_reminders(*, round_id: int, by_id: int | None, base_url: str) -> int:
    """Reminder mails for one round, from the worker: thousands of agencies never slow a page."""

    round = SurveyRound.objects.get(pk=round_id)
    by = User.objects.filter(pk=by_id).first() if by_id else None
    return readiness_send_reminders(round=round, by=by, base_url=base_url)
