"""Every write of the readiness survey."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from core.mail import email_enqueue
from manual.models import RequiredDocument
from readiness import access, selectors
from readiness.models import (
    LimitationOption,
    SurveyProcessRow,
    SurveyReminder,
    SurveyResponse,
    SurveyRound,
)

# Everything a form may write; the rest (status, version, revision, who) is the service's.
ANSWER_FIELDS = [
    "respondent_first_name",
    "respondent_last_name",
    "respondent_email",
    "respondent_phone",
    "q1_system",
    "q1_expected_on",
    "q2_channels",
    "q2_other",
    "q3_service_points",
    "q4_plan",
    "q4_expected_on",
    "q4_reason",
    "q5_mou",
    "q6_linkage",
    "q6_expected_on",
    "q7_readers",
    "q7_readers_owned",
    "q7_readers_needed",
    "q8_limitations",
    "comment",
]
COPIED_FIELDS = [f for f in ANSWER_FIELDS if not f.startswith("respondent_")]


class StaleRevisionError(ValidationError):
    """Someone saved this version after the form was drawn: nothing was written."""

    current_revision: int = 0


# --- rounds -------------------------------------------------------------------------------
def _letters(options) -> list[str]:
    return [o.letter for o in sorted(options, key=lambda o: (o.position, o.letter))]


def limitation_options_default() -> list[LimitationOption]:
    """What a new round offers unless told otherwise: the latest round's options still
    available, or every available option for the first round."""
    latest = SurveyRound.objects.order_by("-opens_on", "-pk").first()
    offered = LimitationOption.objects.filter(is_active=True)
    if latest is not None:
        offered = offered.filter(rounds=latest)
    return list(offered.order_by("position", "letter"))


def _check_round_options(round: SurveyRound, options: list[LimitationOption]) -> None:
    errors = []
    if not options:
        errors.append(_("Choose at least one option for question 8."))
    current = set(round.limitation_options.all()) if round.pk else set()
    added = [o for o in options if o not in current and not o.is_active]
    if added:
        errors.append(
            _("No longer available for rounds: %(letters)s.")
            % {"letters": ", ".join(_letters(added))}
        )
    removed = [o.pk for o in current if o not in options]
    if removed:
        answered = SurveyResponse.q8_options.through.objects.filter(
            surveyresponse__round=round, limitationoption_id__in=removed
        ).values_list("limitationoption_id", flat=True)
        kept = LimitationOption.objects.filter(pk__in=set(answered))
        if kept:
            errors.append(
                _(
                    "Answers in this round chose %(letters)s: a round keeps the options it was "
                    "answered with."
                )
                % {"letters": ", ".join(_letters(kept))}
            )
    if errors:
        raise ValidationError({"limitation_options": errors})


@transaction.atomic
def survey_round_save(
    *, round: SurveyRound, by: Any, options: list[LimitationOption] | None = None
) -> SurveyRound:
    """Creates or changes a round. `options` are question 8's options it offers; a new round
    without them offers the latest round's (limitation_options_default)."""
    if not access.is_ega_admin(by):
        raise PermissionDenied
    created = round.pk is None
    if options is None and created:
        options = limitation_options_default()
    before = _letters(round.limitation_options.all()) if round.pk else []
    if options is not None:
        options = list(dict.fromkeys(options))
        _check_round_options(round, options)
    round.full_clean()
    round.save()
    if options is not None:
        round.limitation_options.set(options)
    after = _letters(round.limitation_options.all())
    data = {
        "opens_on": round.opens_on.isoformat(),
        "closes_on": round.closes_on.isoformat(),
        "options": after,
    }
    if not created and before != after:
        data["options_added"] = [letter for letter in after if letter not in before]
        data["options_removed"] = [letter for letter in before if letter not in after]
    audit_record(
        actor=by,
        action="readiness.round_created" if created else "readiness.round_changed",
        target=round,
        data=data,
    )
    return round


@transaction.atomic
def survey_round_archive(*, round: SurveyRound, by: Any) -> SurveyRound:
    if not access.is_ega_admin(by):
        raise PermissionDenied
    round.archive()
    round.save(update_fields=["status"])
    audit_record(actor=by, action="readiness.round_archived", target=round)
    return round


@transaction.atomic
def limitation_option_save(*, option: LimitationOption, by: Any) -> LimitationOption:
    """Adds or changes one of question 8's options (untick `is_active` instead of deleting)."""
    if not access.is_ega_admin(by):
        raise PermissionDenied
    created = option.pk is None
    option.full_clean()
    option.save()
    audit_record(
        actor=by,
        action="readiness.limitation_option.created"
        if created
        else "readiness.limitation_option.changed",
        target=option,
        data={
            "letter": option.letter,
            "text_th": option.text_th,
            "is_active": option.is_active,
        },
    )
    return option


# --- opening the survey -------------------------------------------------------------------
def _header(agency, by) -> dict[str, str]:
    lineage = agency.lineage()
    names = {a.kind: a.name_th for a in lineage}
    return {
        "agency_code": agency.gfmis_code or agency.code,
        "ministry_name": names.get("ministry") or names.get("independent", ""),
        "department_name": names.get("department", ""),
        "unit_name": names.get("unit", ""),
        "respondent_first_name": by.first_name,
        "respondent_last_name": by.last_name,
        "respondent_email": by.email,
        "respondent_phone": getattr(by, "phone", "") or "",
    }


def _sync_rows(response: SurveyResponse, previous: SurveyResponse | None = None) -> None:
    """One row per current manual service: earlier ticks kept, new ones from the documents.

    Runs on every save, so it reads names and ids only; documents only for new services.
    """

    earlier: dict[int, tuple[bool, bool]] = {}
    if previous is not None:
        earlier = {
            service_id: (id_card, house)
            for service_id, id_card, house in previous.rows.values_list(
                "service_id", "needs_id_card_copy", "needs_house_registration_copy"
            )
        }
    existing = {
        service_id: (pk, position, name)
        for pk, service_id, position, name in response.rows.values_list(
            "pk", "service_id", "position", "service_name"
        )
    }
    services = list(
        selectors.agency_services_for_survey(agency=response.agency)
        .prefetch_related(None)
        .values_list("pk", "name_th")
    )
    current_ids = {pk for pk, _name in services}
    new_ids = [pk for pk, _name in services if pk not in existing and pk not in earlier]
    flags: dict[int, list[bool]] = {pk: [False, False] for pk in new_ids}
    for service_id, id_card, house in RequiredDocument.objects.filter(
        service_id__in=new_ids
    ).values_list("service_id", "is_id_card_copy", "is_house_registration_copy"):
        flags[service_id][0] |= id_card
        flags[service_id][1] |= house
    new_rows, moved = [], []
    for position, (pk, name) in enumerate(services):
        name = name[:300]
        if pk in existing:
            row_pk, old_position, old_name = existing[pk]
            if (old_position, old_name) != (position, name):
                moved.append(SurveyProcessRow(pk=row_pk, position=position, service_name=name))
            continue
        id_card, house = earlier.get(pk) or tuple(flags[pk])
        new_rows.append(
            SurveyProcessRow(
                response=response,
                service_id=pk,
                position=position,
                service_name=name,
                needs_id_card_copy=id_card,
                needs_house_registration_copy=house,
            )
        )
    SurveyProcessRow.objects.bulk_update(moved, ["position", "service_name"], batch_size=500)
    SurveyProcessRow.objects.bulk_create(new_rows, batch_size=500)
    gone = [pk for pk in existing if pk not in current_ids]
    if gone:
        response.rows.filter(service_id__in=gone).delete()  # a draft's rows, not a record


def survey_open(*, agency, by: Any, round: SurveyRound | None = None) -> SurveyResponse:
    """The draft of the open round: the one being written, or a new version.

    A new version starts from the agency's latest submitted answers (this round's or an
    earlier one's), so an agency only changes what changed.
    """
    if not access.can_answer_for(by, agency):
        raise PermissionDenied
    round = round or selectors.survey_round_current()
    if round is None or not round.is_open():
        raise ValidationError(_("The readiness survey is not open now."))
    if not selectors.agency_has_published_point(agency=agency):
        raise ValidationError(
            _("Publish at least one service point before answering the readiness survey.")
        )
    existing = selectors.survey_draft(agency=agency, round=round)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _create_draft(agency=agency, by=by, round=round)
    except IntegrityError:
        # Another officer opened it at the same moment: theirs is the draft.
        draft = selectors.survey_draft(agency=agency, round=round)
        if draft is None:
            raise
        return draft


def _create_draft(*, agency, by: Any, round: SurveyRound) -> SurveyResponse:
    previous = selectors.survey_latest_submitted(agency=agency)
    last_version = (
        SurveyResponse.objects.filter(agency=agency, round=round).aggregate(n=Max("version"))["n"]
        or 0
    )
    response = SurveyResponse(
        agency=agency,
        round=round,
        version=last_version + 1,
        created_by=by,
        updated_by=by,
        **_header(agency, by),
    )
    if previous is not None:
        for name in COPIED_FIELDS:
            setattr(response, name, getattr(previous, name))
        # Dates that have passed since are asked again rather than refused on sight.
        today = timezone.localdate()
        for name in ("q1_expected_on", "q4_expected_on", "q6_expected_on"):
            value = getattr(response, name)
            if value is not None and value < today:
                setattr(response, name, None)
    response.full_clean(exclude=["round", "agency"])
    response.save()
    if previous is not None:
        # Carried forward only where this round still offers the option.
        response.q8_options.set(previous.q8_options.filter(rounds=round))
    _sync_rows(response, previous)
    audit_record(
        actor=by,
        action="readiness.draft_started",
        target=response,
        agency=agency,
        data={"round": round.pk, "version": response.version},
    )
    return response


# --- saving and submitting -----------------------------------------------------------------
def _claim_revision(response: SurveyResponse, revision: int) -> None:
    """Bump the revision only if nobody else did since the form was drawn (one UPDATE)."""
    claimed = SurveyResponse.objects.filter(
        pk=response.pk, revision=revision, status=SurveyResponse.Status.DRAFT
    ).update(revision=F("revision") + 1)
    if claimed:
        response.revision = revision + 1
        return
    current = SurveyResponse.objects.select_related("updated_by").get(pk=response.pk)
    if current.status != SurveyResponse.Status.DRAFT:
        raise StaleRevisionError(
            _(
                "This version was submitted by someone else while you were editing. Your "
                "answers are still on this page: start a new version to change the answers."
            ),
            code="submitted",
        )
    who = current.updated_by.get_full_name() if current.updated_by else ""
    error = StaleRevisionError(
        _(
            "%(who)s saved this survey at %(time)s, after you opened it. Nothing you typed "
            "was saved and it is all still on this page: compare it with the saved answers, "
            "then save again to keep yours."
        )
        % {
            "who": who or _("Another officer"),
            "time": timezone.localtime(current.updated_at).strftime("%H:%M"),
        },
        code="stale",
    )
    error.current_revision = current.revision
    raise error


def _apply(
    *,
    response: SurveyResponse,
    by: Any,
    revision: int,
    answers: dict[str, Any],
    limitations: list[LimitationOption] | None,
    rows: dict[int, tuple[bool, bool]] | None,
) -> None:
    if not access.can_answer_for(by, response.agency):
        raise PermissionDenied
    if not response.round.is_open():
        raise ValidationError(_("The readiness survey is not open now."))
    unknown = set(answers) - set(ANSWER_FIELDS)
    if unknown:
        raise ValueError(f"not answers: {sorted(unknown)}")
    _claim_revision(response, revision)
    for name, value in answers.items():
        setattr(response, name, value)
    response.clear_unchosen_conditionals()
    response.updated_by = by
    response.updated_at = timezone.now()
    response.full_clean(exclude=["round", "agency"])
    response.save()
    if limitations is not None:
        if response.q8_limitations != SurveyResponse.Limitations.SOME:
            limitations = []
        offered = set(response.round.limitation_options.all()) | set(response.q8_options.all())
        if any(o not in offered for o in limitations):
            raise ValidationError({"q8_options": _("Choose limitations from the list.")})
        response.q8_options.set(limitations)
    if rows:
        _save_rows(response, rows)


def _save_rows(response: SurveyResponse, rows: dict[int, tuple[bool, bool]]) -> None:
    changed = []
    for row in response.rows.filter(pk__in=list(rows)):
        id_card, house = rows[row.pk]
        if (row.needs_id_card_copy, row.needs_house_registration_copy) != (id_card, house):
            row.needs_id_card_copy, row.needs_house_registration_copy = id_card, house
            changed.append(row)
    SurveyProcessRow.objects.bulk_update(
        changed, ["needs_id_card_copy", "needs_house_registration_copy"], batch_size=500
    )


@transaction.atomic
def survey_save_draft(
    *,
    response: SurveyResponse,
    by: Any,
    revision: int,
    answers: dict[str, Any],
    limitations: list[LimitationOption] | None = None,
    rows: dict[int, tuple[bool, bool]] | None = None,
) -> SurveyResponse:
    """Keeps what is typed so far; refuses only values that are wrong, not missing ones."""
    _apply(
        response=response,
        by=by,
        revision=revision,
        answers=answers,
        limitations=limitations,
        rows=rows,
    )
    _sync_rows(response)
    audit_record(
        actor=by,
        action="readiness.draft_saved",
        target=response,
        agency=response.agency,
        data={"revision": response.revision},
    )
    return response


@transaction.atomic
def survey_submit(
    *,
    response: SurveyResponse,
    by: Any,
    revision: int,
    answers: dict[str, Any],
    limitations: list[LimitationOption] | None = None,
    rows: dict[int, tuple[bool, bool]] | None = None,
) -> SurveyResponse:
    """Saves and submits in one step; on any error nothing at all is written."""
    _apply(
        response=response,
        by=by,
        revision=revision,
        answers=answers,
        limitations=limitations,
        rows=rows,
    )
    _sync_rows(response)
    response.submit(by=by, limitation_count=response.q8_options.count())
    for older in SurveyResponse.objects.select_for_update().filter(
        agency=response.agency, round=response.round, status=SurveyResponse.Status.SUBMITTED
    ):
        older.supersede()
        older.save(update_fields=["status"])
        audit_record(actor=by, action="readiness.superseded", target=older, agency=response.agency)
    response.save(update_fields=["status", "submitted_at", "submitted_by"])
    audit_record(
        actor=by,
        action="readiness.submitted",
        target=response,
        agency=response.agency,
        data={"version": response.version, "round": response.round_id},
    )
    return response


# --- reminders ------------------------------------------------------------------------------
@transaction.atomic
def readiness_send_reminders(*, round: SurveyRound, by: Any = None, base_url: str) -> int:
    """Mails every active member of each agency that pinned but has not answered this round,
    unless they were reminded about it in the last READINESS_REMINDER_INTERVAL_DAYS."""

    if by is not None and not access.can_send_reminders(by):
        raise PermissionDenied
    # Two runs at once (the admin action clicked twice, the command from cron) wait here for
    # each other, so the second sees the first one's reminders.
    SurveyRound.objects.select_for_update().filter(pk=round.pk).first()
    now = timezone.now()
    interval = timedelta(days=settings.READINESS_REMINDER_INTERVAL_DAYS)
    recently = SurveyReminder.objects.filter(round=round, sent_at__gte=now - interval)
    agencies = list(selectors.agencies_to_remind(round=round))
    members = User.objects.filter(
        agency__in=agencies,
        is_active=True,
        role__in=[User.Role.AGENCY_ADMIN, User.Role.AGENCY_OFFICER],
    ).select_related("agency")
    skipped = members.filter(pk__in=recently.values("user_id")).count()
    survey_url = base_url.rstrip("/") + reverse("readiness:survey")
    reminders = []
    for member in members.exclude(pk__in=recently.values("user_id")):
        email_enqueue(
            to=member.email,
            template="readiness/email/reminder",
            context={"user": member, "agency": member.agency, "round": round, "url": survey_url},
        )
        reminders.append(SurveyReminder(round=round, user=member, sent_at=now))
    SurveyReminder.objects.bulk_create(reminders)
    sent = len(reminders)
    audit_record(
        actor=by,
        actor_label="" if by else "system",
        action="readiness.reminders_sent",
        target=round,
        data={
            "agencies": len(agencies),
            "emails": sent,
            "reminded_recently": skipped,
            "agencies_reached": len({r.user.agency_id for r in reminders}),
            "agencies_without_members": len(
                set(a.pk for a in agencies) - set(members.values_list("agency_id", flat=True))
            ),
        },
    )
    return sent
