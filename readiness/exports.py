"""All answers for administrators and overseers: CSV files and one XLSX workbook (ADR 0052).

The issue asks for "one sheet per agency answer, one per process row": we read it as two
tables, and the workbook has one sheet for each: "answers" (one row per agency's latest
submitted response) and "processes" (one row per process of those responses). The CSV
export gives the same two tables as two files.
"""

from collections.abc import Iterator

from django.db.models import Count, Q
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core import tabular
from readiness.models import SurveyProcessRow, SurveyResponse, SurveyRound
from readiness.selectors import readiness_export_rows, readiness_latest_by_agency

XLSX_TYPE = tabular.XLSX_CONTENT_TYPE


def _date(value) -> str:
    return value.isoformat() if value else ""


def answer_headers() -> list[str]:
    field = SurveyResponse._meta.get_field
    return [
        _("agency code"),
        _("agency"),
        str(field("ministry_name").verbose_name),
        str(field("department_name").verbose_name),
        str(field("unit_name").verbose_name),
        _("survey round"),
        _("version"),
        _("submitted"),
        _("respondent first name"),
        _("respondent last name"),
        _("respondent email"),
        _("respondent phone"),
        "Q1",
        _("Q1 expected completion"),
        "Q2",
        _("Q2 other channel"),
        "Q3",
        "Q4",
        _("Q4 expected completion"),
        _("Q4 reason"),
        "Q5",
        "Q6",
        _("Q6 expected completion"),
        "Q7",
        _("Q7 readers owned"),
        _("Q7 readers needed"),
        "Q8",
        _("Q8 limitations"),
        _("comment"),
        _("processes"),
        _("processes needing an ID-card copy"),
        _("processes needing a house-registration copy"),
        _("recommended path"),
    ]


def answer_rows(*, round: SurveyRound | None = None) -> Iterator[list]:
    items = readiness_latest_by_agency(round=round)
    counts = _row_counts([item.response.pk for item in items])
    for item in items:
        r = item.response
        total, id_card, house = counts.get(r.pk, (0, 0, 0))
        yield [
            r.agency.code,
            r.agency.name_th,
            r.ministry_name,
            r.department_name,
            r.unit_name,
            str(r.round),
            r.version,
            timezone.localtime(r.submitted_at).isoformat() if r.submitted_at else "",
            r.respondent_first_name,
            r.respondent_last_name,
            r.respondent_email,
            r.respondent_phone,
            r.get_q1_system_display(),
            _date(r.q1_expected_on),
            "; ".join(r.channel_labels()),
            r.q2_other,
            r.q3_service_points,
            r.get_q4_plan_display(),
            _date(r.q4_expected_on),
            r.q4_reason,
            r.get_q5_mou_display(),
            r.get_q6_linkage_display(),
            _date(r.q6_expected_on),
            r.get_q7_readers_display(),
            r.q7_readers_owned,
            r.q7_readers_needed,
            r.get_q8_limitations_display(),
            "; ".join(str(o) for o in r.q8_options.all()),
            r.comment,
            total,
            id_card,
            house,
            item.recommendation.label,
        ]


def _row_counts(pks: list[int]) -> dict[int, tuple[int, int, int]]:

    rows = (
        SurveyProcessRow.objects.filter(response_id__in=pks)
        .values("response_id")
        .annotate(
            total=Count("id"),
            id_card=Count("id", filter=Q(needs_id_card_copy=True)),
            house=Count("id", filter=Q(needs_house_registration_copy=True)),
        )
    )
    return {r["response_id"]: (r["total"], r["id_card"], r["house"]) for r in rows}


def process_headers() -> list[str]:
    return [
        _("agency code"),
        _("agency"),
        _("survey round"),
        _("version"),
        "#",
        _("process / manual"),
        pgettext("readiness", "Copy of ID card"),
        pgettext("readiness", "Copy of house registration"),
    ]


def process_rows(*, round: SurveyRound | None = None) -> Iterator[list]:
    yes, no = _("yes"), _("no")
    for row in readiness_export_rows(round=round).iterator(chunk_size=2000):
        r = row.response
        yield [
            r.agency.code,
            r.agency.name_th,
            str(r.round),
            r.version,
            row.position + 1,
            row.service_name,
            yes if row.needs_id_card_copy else no,
            yes if row.needs_house_registration_copy else no,
        ]


def _filename(stem: str, extension: str) -> str:
    return f"readiness-{stem}-{timezone.localdate().isoformat()}.{extension}"


def answers_csv(*, round: SurveyRound | None = None) -> StreamingHttpResponse:
    return tabular.csv_response(
        answer_headers(), answer_rows(round=round), filename=_filename("answers", "csv")
    )


def processes_csv(*, round: SurveyRound | None = None) -> StreamingHttpResponse:
    return tabular.csv_response(
        process_headers(), process_rows(round=round), filename=_filename("processes", "csv")
    )


def workbook(*, round: SurveyRound | None = None) -> HttpResponse:
    sheets = [
        tabular.Sheet(_("answers"), answer_headers(), answer_rows(round=round)),
        tabular.Sheet(_("processes"), process_headers(), process_rows(round=round)),
    ]
    response = HttpResponse(tabular.xlsx_bytes(sheets), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename("all", "xlsx")}"'
    return response
