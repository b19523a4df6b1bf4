"""The console's one write of its own: mailing the agencies of a follow-up list."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from audit.services import audit_record
from console import access
from console.selectors import FollowUpRow
from core.mail import email_enqueue

MAX_AGENCIES = 5000


@dataclass(frozen=True)
class RemindResult:
    agencies: int
    emails: int
    unreachable: int


@transaction.atomic
def followup_remind(
    *, rows: list[FollowUpRow], members: dict[int, list[Any]], by: Any, base_url: str, gap: str
) -> RemindResult:
    """One mail to each active member of each listed agency, saying what is not done yet."""
    if not access.can_run_programme(by):
        raise PermissionDenied
    rows = rows[:MAX_AGENCIES]
    emails = unreachable = 0
    for row in rows:
        people = members.get(row.agency.pk, [])
        if not people:
            unreachable += 1
            continue
        url = base_url.rstrip("/") + reverse("progress:agency", kwargs={"code": row.agency.code})
        for person in people:
            email_enqueue(
                to=person.email,
                template="console/email/followup",
                context={"user": person, "agency": row.agency, "row": row, "url": url},
            )
            emails += 1
    result = RemindResult(agencies=len(rows), emails=emails, unreachable=unreachable)
    audit_record(
        action="console.followup.reminded",
        actor=by,
        data={
            "gap": gap,
            "agencies": result.agencies,
            "emails": result.emails,
            "agencies_without_members": result.unreachable,
        },
    )
    return result
