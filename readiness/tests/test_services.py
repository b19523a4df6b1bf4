import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from readiness import services
from readiness.models import SurveyResponse
from readiness.tests.factories import SurveyRoundFactory, answers, option, pin

pytestmark = pytest.mark.django_db


def _open(agency, officer):
    return services.survey_open(agency=agency, by=officer)


def _save(draft, officer, **fields):
    return services.survey_save_draft(
        response=draft, by=officer, revision=draft.revision, answers=answers(**fields)
    )


def test_opening_prefills_the_header_and_the_process_table(
    pinned_a, officer_a, open_round, manual_a
):
    officer_a.phone = "0812345678"
    draft = _open(pinned_a, officer_a)
    assert draft.status == "draft" and draft.version == 1 and draft.revision == 1
    assert draft.agency_code == pinned_a.code
    assert draft.ministry_name == pinned_a.parent.name_th
    assert draft.department_name == pinned_a.name_th and draft.unit_name == ""
    assert (draft.respondent_first_name, draft.respondent_email) == (
        officer_a.first_name,
        officer_a.email,
    )
    rows = {
        r.service_name: (r.needs_id_card_copy, r.needs_house_registration_copy)
        for r in draft.rows.all()
    }
    assert rows == {
        "การขอใบอนุญาตก่อสร้าง": (True, True),
        "การขอหนังสือรับรอง": (True, False),
        "การแจ้งเปลี่ยนชื่อ": (False, False),
    }
    assert AuditEvent.objects.filter(action="readiness.draft_started").count() == 1


def test_opening_twice_returns_the_same_draft(pinned_a, officer_a, admin_a, open_round):
    assert _open(pinned_a, officer_a).pk == _open(pinned_a, admin_a).pk


def test_an_agency_without_a_published_point_cannot_open(agency_a, officer_a, open_round):
    from service_points.tests.factories import ServicePointFactory

    ServicePointFactory(agency=agency_a)  # a draft pin is not enough
    with pytest.raises(ValidationError, match="จุดบริการ"):
        _open(agency_a, officer_a)
    assert not SurveyResponse.objects.exists()


def test_no_survey_outside_a_round(pinned_a, officer_a):
    with pytest.raises(ValidationError):
        _open(pinned_a, officer_a)


def test_an_officer_cannot_open_for_another_agency(pinned_a, officer_b, open_round):
    with pytest.raises(PermissionDenied):
        _open(pinned_a, officer_b)


def test_save_draft_keeps_partial_answers_and_bumps_the_revision(pinned_a, officer_a, open_round):
    draft = _open(pinned_a, officer_a)
    _save(draft, officer_a, q5_mou="", q3_service_points=None)
    draft.refresh_from_db()
    assert draft.revision == 2 and draft.q5_mou == "" and draft.q1_system == "yes"


def test_a_stale_revision_is_refused_and_nothing_is_written(
    pinned_a, officer_a, admin_a, open_round
):
    draft = _open(pinned_a, officer_a)
    mine = SurveyResponse.objects.get(pk=draft.pk)
    theirs = SurveyResponse.objects.get(pk=draft.pk)
    _save(theirs, admin_a, q3_service_points=7)
    with pytest.raises(services.StaleRevisionError) as error:
        services.survey_save_draft(
            response=mine, by=officer_a, revision=1, answers=answers(q3_service_points=99)
        )
    assert error.value.current_revision == 2
    draft.refresh_from_db()
    assert draft.q3_service_points == 7 and draft.revision == 2


def test_bad_values_write_nothing(pinned_a, officer_a, open_round):
    draft = _open(pinned_a, officer_a)
    past = timezone.localdate() - datetime.timedelta(days=2)
    with pytest.raises(ValidationError):
        _save(draft, officer_a, q4_expected_on=past, q3_service_points=5)
    draft.refresh_from_db()
    assert draft.revision == 1 and draft.q3_service_points is None


def test_submit_then_a_new_version_keeps_the_history(pinned_a, officer_a, open_round, manual_a):
    draft = _open(pinned_a, officer_a)
    row = draft.rows.get(service_name="การแจ้งเปลี่ยนชื่อ")
    first = services.survey_submit(
        response=draft,
        by=officer_a,
        revision=draft.revision,
        answers=answers(q8_limitations="some"),
        limitations=[option("ก"), option("ค")],
        rows={row.pk: (True, False)},
    )
    assert first.status == "submitted" and first.q8_options.count() == 2
    assert first.rows.get(pk=row.pk).needs_id_card_copy

    second = _open(pinned_a, officer_a)
    assert second.pk != first.pk and second.version == 2
    assert second.q8_limitations == "some" and second.q8_options.count() == 2
    assert second.rows.get(service_name="การแจ้งเปลี่ยนชื่อ").needs_id_card_copy  # kept
    services.survey_submit(
        response=second, by=officer_a, revision=second.revision, answers=answers(q5_mou="no")
    )
    first.refresh_from_db()
    assert first.status == "superseded"
    assert list(
        SurveyResponse.objects.filter(agency=pinned_a)
        .order_by("version")
        .values_list("version", "status")
    ) == [(1, "superseded"), (2, "submitted")]


def test_an_incomplete_submit_writes_nothing(pinned_a, officer_a, open_round):
    draft = _open(pinned_a, officer_a)
    with pytest.raises(ValidationError) as error:
        services.survey_submit(
            response=draft,
            by=officer_a,
            revision=1,
            answers=answers(q7_readers="", q1_system="developing"),
        )
    assert {"q7_readers", "q1_expected_on"} <= set(error.value.message_dict)
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.revision == 1 and draft.q1_system == ""


def test_limitations_are_dropped_when_the_answer_is_none(pinned_a, officer_a, open_round):
    draft = _open(pinned_a, officer_a)
    services.survey_save_draft(
        response=draft,
        by=officer_a,
        revision=1,
        answers=answers(q8_limitations="none"),
        limitations=[option("ข")],
    )
    assert draft.q8_options.count() == 0


def test_rows_of_another_response_are_ignored(
    pinned_a, pinned_b, officer_a, officer_b, open_round, manual_a
):
    draft_a = _open(pinned_a, officer_a)
    draft_b = _open(pinned_b, officer_b)
    row = draft_a.rows.first()
    before = (row.needs_id_card_copy, row.needs_house_registration_copy)
    services.survey_save_draft(
        response=draft_b,
        by=officer_b,
        revision=1,
        answers=answers(),
        rows={row.pk: (not before[0], not before[1])},
    )
    row.refresh_from_db()
    assert (row.needs_id_card_copy, row.needs_house_registration_copy) == before


def test_reminders_go_to_pinned_agencies_that_have_not_answered(
    pinned_a, pinned_b, officer_a, officer_b, agency_a, ega_admin, open_round
):
    from agencies.tests.factories import DepartmentFactory

    DepartmentFactory()  # not pinned: no reminder
    draft = _open(pinned_a, officer_a)
    services.survey_submit(response=draft, by=officer_a, revision=1, answers=answers())
    sent = services.readiness_send_reminders(
        round=open_round, by=ega_admin, base_url="https://citizen.info.go.th/"
    )
    assert sent == 1
    assert [m.to for m in mail.outbox] == [[officer_b.email]]
    assert "https://citizen.info.go.th/my-agency/readiness/" in mail.outbox[0].body
    assert pinned_b.name_th in mail.outbox[0].subject


def test_reminders_sent_again_within_the_interval_mail_nobody_twice(
    pinned_b, officer_b, ega_admin, open_round, settings
):
    from readiness.models import SurveyReminder

    settings.READINESS_REMINDER_INTERVAL_DAYS = 7
    base = "https://citizen.info.go.th/"
    assert services.readiness_send_reminders(round=open_round, by=ega_admin, base_url=base) == 1
    assert services.readiness_send_reminders(round=open_round, by=ega_admin, base_url=base) == 0
    assert [m.to for m in mail.outbox] == [[officer_b.email]]
    assert SurveyReminder.objects.filter(round=open_round, user=officer_b).count() == 1
    SurveyReminder.objects.update(sent_at=timezone.now() - datetime.timedelta(days=8))
    assert services.readiness_send_reminders(round=open_round, by=ega_admin, base_url=base) == 1
    assert len(mail.outbox) == 2
    last = AuditEvent.objects.filter(action="readiness.reminders_sent").order_by("-pk")
    assert [e.data["emails"] for e in last[:3]] == [1, 0, 1]
    assert last[1].data["reminded_recently"] == 1


def test_only_ega_admins_send_reminders(officer_a, open_round):
    with pytest.raises(PermissionDenied):
        services.readiness_send_reminders(round=open_round, by=officer_a, base_url="http://x/")


def test_the_reminder_command_queues_the_task(pinned_b, officer_b, open_round):
    from django.core.management import call_command

    call_command("readiness_remind", "--base-url", "https://citizen.info.go.th/")
    assert [m.to for m in mail.outbox] == [[officer_b.email]]


def test_rounds_are_saved_and_archived_by_ega_admins_only(ega_admin, officer_a):
    round = SurveyRoundFactory.build()
    services.survey_round_save(round=round, by=ega_admin)
    with pytest.raises(PermissionDenied):
        services.survey_round_archive(round=round, by=officer_a)
    services.survey_round_archive(round=round, by=ega_admin)
    assert round.status == "archived"


def test_latest_by_agency_gives_one_submitted_response_each_with_its_path(
    pinned_a, pinned_b, officer_a, officer_b, open_round
):
    from readiness.selectors import readiness_latest_by_agency

    for agency, officer, linkage in (
        (pinned_a, officer_a, "linked"),
        (pinned_b, officer_b, "not_yet"),
    ):
        draft = _open(agency, officer)
        services.survey_submit(
            response=draft,
            by=officer,
            revision=1,
            answers=answers(q6_linkage=linkage, q6_expected_on=None, q5_mou="no", q1_system="no"),
        )
    again = _open(pinned_a, officer_a)
    services.survey_submit(
        response=again,
        by=officer_a,
        revision=1,
        answers=answers(q6_linkage="linked", q6_expected_on=None),
    )
    pin(pinned_a)
    items = {item.agency.pk: item for item in readiness_latest_by_agency()}
    assert items[pinned_a.pk].response.pk == again.pk
    assert items[pinned_a.pk].path == "online_dopa"
    assert items[pinned_b.pk].path == "offline"
    assert len(items) == 2
