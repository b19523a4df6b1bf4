"""State changes: batched into one push, within the quota, else email or the next reply."""

import pytest
from django.core import mail

from complaints.models import Complaint
from complaints.services import complaint_reopen, complaint_transition
from complaints.tests.factories import category, submit
from line_channel import identity, notify, selectors, services
from line_channel.models import ComplaintLink, Notice, Push
from line_channel.tests.conftest import USER, linked_citizen, post, text

pytestmark = pytest.mark.django_db
DEFERRED = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def filed(line, agency_a):
    """Two complaints filed from the same LINE user, routed to agency A."""
    complaints = []
    for _n in range(2):
        complaint = submit(category=category("road"), reporter_email="")
        Complaint.objects.filter(pk=complaint.pk).update(agency=agency_a)
        complaint.refresh_from_db()
        services.complaint_link(complaint=complaint, user_id=USER, language="th")
        complaints.append(complaint)
    return complaints


def test_changes_waiting_for_one_person_go_in_one_push(line, filed, officer_a, settings):
    settings.TASKS = DEFERRED
    first, second = filed
    complaint_transition(complaint=first, state="in_progress", by=officer_a)
    complaint_transition(complaint=second, state="fixed", by=officer_a)
    complaint_transition(complaint=first, state="fixed", by=officer_a)
    assert notify.notices_push(user_hash=identity.user_hash(USER)) == 3
    pushes = line.sent("push")
    assert len(pushes) == 1
    said = pushes[0].json()["messages"][0]["text"]
    assert said.count(first.reference) == 2 and said.count(second.reference) == 1
    assert Push.objects.count() == 1
    assert set(Notice.objects.values_list("channel", flat=True)) == {"line"}
    assert notify.notices_push(user_hash=identity.user_hash(USER)) == 0  # nothing left


def test_over_the_quota_the_change_goes_by_email_to_a_linked_citizen(
    line, filed, officer_a, settings
):
    settings.LINE_PUSH_MONTHLY_QUOTA = 0
    linked_citizen(email="somsri@example.com")
    complaint_transition(complaint=filed[0], state="fixed", by=officer_a)
    assert not line.sent("push")
    assert [m.to for m in mail.outbox] == [["somsri@example.com"]]
    assert filed[0].reference in f"{mail.outbox[0].subject} {mail.outbox[0].body}"
    assert Notice.objects.get().channel == Notice.Channel.EMAIL


def test_without_quota_or_email_the_change_rides_with_the_next_reply(
    client, line, filed, officer_a, settings
):
    settings.LINE_PUSH_MONTHLY_QUOTA = 0
    complaint_transition(complaint=filed[0], state="fixed", by=officer_a)
    assert Notice.objects.get().channel == Notice.Channel.NONE
    post(client, text("บัตรประชาชน"))
    messages = line.sent("reply")[-1].json()["messages"]
    assert filed[0].reference in messages[-1]["text"]
    assert Notice.objects.get().sent_at is not None
    post(client, text("บัตรประชาชน"))
    assert len(line.sent("reply")[-1].json()["messages"]) == 1  # told once


def test_a_failed_push_falls_back(line, filed, officer_a, settings):
    line.fail["/v2/bot/message/push"] = 403  # the user blocked the account
    complaint_transition(complaint=filed[0], state="fixed", by=officer_a)
    assert Notice.objects.get().channel == Notice.Channel.NONE


def test_the_quota_counts_pushes_a_month(line, filed, officer_a, settings):
    settings.LINE_PUSH_MONTHLY_QUOTA = 1
    complaint_transition(complaint=filed[0], state="fixed", by=officer_a)
    complaint_transition(complaint=filed[1], state="fixed", by=officer_a)
    assert len(line.sent("push")) == 1
    assert list(Notice.objects.order_by("pk").values_list("channel", flat=True)) == [
        "line",
        "none",
    ]


def test_a_reopening_is_pushed_too(line, filed, officer_a):
    complaint_transition(complaint=filed[0], state="fixed", by=officer_a)
    complaint_reopen(complaint=filed[0], reason="ยังไม่ได้แก้")
    assert len(line.sent("push")) == 2
    assert "ยืนยันเรื่องแล้ว" in line.sent("push")[-1].json()["messages"][0]["text"]


def test_web_complaints_are_not_pushed(line, officer_a, agency_a):
    complaint = submit(category=category("road"))
    Complaint.objects.filter(pk=complaint.pk).update(agency=agency_a)
    complaint.refresh_from_db()
    complaint_transition(complaint=complaint, state="fixed", by=officer_a)
    assert not line.sent("push") and not Notice.objects.exists()


def test_complaints_for_line_user_by_id_hash_or_linked_account(line, filed):
    other = submit(category=category("road"))
    services.complaint_link(
        complaint=other, user_id="Uanother0000000000000000000000000", language="th"
    )
    mine = {c.pk for c in filed}
    assert {c.pk for c in selectors.complaints_for_line_user(line_user_id=USER)} == mine
    by_hash = selectors.complaints_for_line_user(user_hash=identity.user_hash(USER))
    assert {c.pk for c in by_hash} == mine
    from citizens.models import Citizen

    stranger = Citizen.objects.create(pseudonym="b" * 64)
    citizen = linked_citizen()
    assert not selectors.complaints_for_line_user(citizen=stranger).exists()
    assert {c.pk for c in selectors.complaints_for_line_user(citizen=citizen)} == mine
    assert not selectors.complaints_for_line_user().exists()


def test_sealed_ids_of_long_done_complaints_are_forgotten(line, filed, officer_a):
    from datetime import timedelta

    from django.utils import timezone

    complaint_transition(complaint=filed[0], state="fixed", by=officer_a)
    assert services.links_forget() == 0
    later = timezone.now() + timedelta(days=60)
    assert services.links_forget(now=later) == 1
    assert ComplaintLink.objects.get(complaint=filed[0]).user_id_sealed == ""
    assert ComplaintLink.objects.get(complaint=filed[1]).user_id_sealed != ""
