"""XLSX (`core.tabular`, the one safe writer) and PDF (WeasyPrint: Pango + HarfBuzz shape Thai, libthai breaks lines
between words, in the vendored Sarabun font) exports of the reports (ADR 0063)."""

from __future__ import annotations

import logging

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency
from complaints.selectors import Figures as ComplaintFigures
from complaints.selectors import figures_by_agency as complaint_figures_by_agency
from core import tabular
from core.fonts import THAI_FONT_DIR
from progress import charts, selectors, sources
from progress.pages import map_context, summary_context

logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = THAI_FONT_DIR
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _columns() -> list[tuple[str, str]]:
    return [
        ("name", _("Agency")),
        ("agencies", _("Agencies")),
        ("registered", _("Registered")),
        ("pinned_agencies", _("Agencies that pinned")),
        ("points", _("Service points pinned")),
        ("surveyed", _("Surveys submitted")),
        ("path_offline", _("Path: ID card offline")),
        ("path_online_dopa", _("Path: online, DOPA")),
        ("path_online_ega", _("Path: online, EGA")),
        ("processes", _("Processes")),
        ("asking_id_card", _("Still ask for an ID-card copy")),
        ("asking_house_registration", _("Still ask for a house-registration copy")),
        ("stopped_any", _("Stopped asking for a copy")),
        ("copy_free_agencies", _("Agencies that ask for no copy")),
    ]


def _value(figures: selectors.Figures, key: str):
    if key.startswith("path_"):
        return figures.paths.get(key[5:], 0)
    return getattr(figures, key)


def _sheet(title: str, rows: list[selectors.Figures], total=None, columns=None) -> tabular.Sheet:
    columns = columns or _columns()

    def values():
        for figures in rows:
            yield [_value(figures, key) for key, _label in columns]
        if total is not None:
            total.name = _("Total")
            yield [_value(total, key) for key, _label in columns]

    return tabular.Sheet(
        title,
        [label for _key, label in columns],
        values(),
        freeze=(1, 1),
        widths={0: 48},
        thousands=True,
    )


def _complaints_sheet(rows: list[tuple[str, ComplaintFigures]]) -> tabular.Sheet:
    """Citizens' complaints (issue 12): one row per (name, figures)."""

    return tabular.Sheet(
        _("Complaints"),
        [
            _("Agency"),
            _("Complaints received"),
            _("Open"),
            _("Fixed"),
            _("Closed"),
            _("Overdue"),
            _("Median days to fix"),
            _("Reopen rate (%)"),
            _("Fixes confirmed by the reporter (%)"),
        ],
        [
            [
                name,
                f.received,
                f.open,
                f.fixed,
                f.closed,
                f.overdue,
                f.median_days_to_fix,
                f.reopen_rate,
                f.confirmation_rate,
            ]
            for name, f in rows
        ],
        freeze=(1, 1),
        widths={0: 48},
    )


def _response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _plan_answer(plan: sources.CopiesPlan) -> str:
    if not plan.surveyed:
        return str(_("No readiness survey submitted"))
    labels = {
        "yes": _("Yes"),
        "no_policy": _("No policy yet"),
        "not_sure": _("Not sure"),
    }
    return str(labels.get(plan.plan, _("Not answered")))


_PLAN_STATES = {
    "done": gettext_lazy("Every planned process served without a copy"),
    "overdue": gettext_lazy("Planned date passed, not every planned process served without a copy"),
    "on_track": gettext_lazy("Plan in progress"),
    "no_plan": gettext_lazy("No plan to stop asking for copies"),
    "no_survey": gettext_lazy("No readiness survey submitted"),
}


def _national_plan_sheet(*, every_agency: bool) -> tabular.Sheet:
    """The nation's total, and each agency's row for those who may follow agencies up."""
    plans = sources.copies_against_plan()
    total = sources.copies_against_plan_total(plans.values())
    rows = sorted(plans.values(), key=lambda p: (-p.transactions, p.agency_id))
    names: dict = {}
    if every_agency:
        Agency = sources.agency_model()  # noqa: N806
        names = Agency.objects.filter(pk__in=list(plans)).select_related("ministry").in_bulk()
    share = round(total.share, 4) if total.share is not None else None
    total_row = ["", str(_("Total")), "", total.transactions, "", None]
    total_row += [total.planned, total.planned_served, share, ""]
    return _plan_sheet(rows if every_agency else [], names, total_row=total_row)


def _plan_sheet(
    plans: list[sources.CopiesPlan], agencies: dict, total_row: list | None = None
) -> tabular.Sheet:
    """The seed's phase-2 figure: copies avoided against each agency's survey plan."""
    rows = []
    for plan in plans:
        agency = agencies.get(plan.agency_id)
        ministry = getattr(agency, "ministry", None)
        rows.append(
            [
                getattr(agency, "code", ""),
                getattr(agency, "name_th", ""),
                getattr(ministry, "name_th", "") if ministry else "",
                plan.transactions,
                _plan_answer(plan),
                plan.expected_on,
                plan.planned,
                plan.planned_served,
                round(plan.share, 4) if plan.share is not None else None,
                str(_PLAN_STATES[plan.state]),
            ]
        )
    if total_row is not None:
        rows.append(total_row)
    return tabular.Sheet(
        _("Copies avoided vs plan"),
        [
            _("Code"),
            _("Agency"),
            _("Ministry"),
            _("Transactions served without a copy"),
            _("Plan to stop asking for copies"),
            _("Planned completion"),
            _("Processes the survey said ask for a copy"),
            _("Of these, served without a copy"),
            _("Share"),
            _("State"),
        ],
        rows,
    )


def national_xlsx(*, every_agency: bool) -> HttpResponse:
    rows, total = selectors.report(selectors.Level("nation"))
    province_rows, province_total = selectors.provinces()
    sheets = [
        _sheet(_("Ministries"), rows, total),
        _sheet(
            _("Provinces"),
            province_rows,
            province_total,
            columns=[
                ("name", _("Province")),
                ("points", _("Service points pinned")),
                ("pinned_agencies", _("Agencies that pinned")),
                ("copy_free_points", _("Points whose agency asks for no copy")),
            ],
        ),
    ]
    schedule = [
        [
            str(item.activity),
            item.activity.starts_on,
            item.activity.ends_on,
            item.value,
            item.target,
            round(item.share, 4) if item.share is not None else None,
        ]
        for phase in selectors.timeline(total=total)
        for item in phase["activities"]
    ]
    sheets.append(
        tabular.Sheet(
            _("Schedule"),
            [_("Activity"), _("Starts"), _("Ends"), _("Done"), _("Target"), _("Share")],
            schedule,
        )
    )
    sheets.append(_complaints_sheet(_complaint_rows()))
    sheets.append(_national_plan_sheet(every_agency=every_agency))
    if every_agency:
        agencies, _t = selectors.report(selectors.Level("every_agency"))
        sheets.append(_sheet(_("Agencies"), agencies))
    stamp = timezone.localdate().isoformat()
    return _response(tabular.xlsx_bytes(sheets), XLSX, f"no-copy-progress-{stamp}.xlsx")


def _complaint_rows() -> list[tuple[str, ComplaintFigures]]:
    """Every agency with complaints, then the nation's total."""

    by_agency = complaint_figures_by_agency()
    names = dict(Agency.objects.filter(pk__in=by_agency).values_list("pk", "name_th"))
    rows = sorted(((names[pk], figures) for pk, figures in by_agency.items()), key=lambda r: r[0])
    return [*rows, (str(_("Total")), sources.complaint_figures())]


def agency_xlsx(*, agency, context: dict) -> HttpResponse:
    checklist = [
        [str(step.label), _("Yes") if step.done else _("No"), "" if step.done else step.missing]
        for step in context["checklist"]
    ]
    processes = [
        [
            row["name_th"],
            _("Yes") if row["asks_id_now"] else _("No"),
            _("Yes") if row["asks_house_now"] else _("No"),
        ]
        for row in context["processes"]
    ]
    sheets = [
        tabular.Sheet(_("Checklist"), [_("Step"), _("Done"), _("What is missing")], checklist),
        tabular.Sheet(
            _("Processes"),
            [_("Process"), _("Asks for an ID-card copy"), _("Asks for a house-registration copy")],
            processes,
        ),
        _sheet(_("Figures"), [context["figures"]]),
    ]
    if context.get("complaints") is not None:
        sheets.append(_complaints_sheet([(agency.name_th, context["complaints"])]))
    sheets.append(_plan_sheet([context["copies_plan"]], {agency.pk: agency}))
    return _response(tabular.xlsx_bytes(sheets), XLSX, f"no-copy-progress-{agency.code}.xlsx")


def _pdf(template: str, context: dict) -> bytes:
    from core.pdf import font_dir, render_pdf  # lazy: heavy

    context = dict(context, font_dir=font_dir().as_uri(), generated_at=timezone.now())
    return render_pdf(render_to_string(template, context))


def national_pdf(*, request) -> HttpResponse:
    rows, total = selectors.report(selectors.Level("nation"))
    context = summary_context(total)
    context.update(map_context())
    context.update(
        {
            "rows": rows,
            "chart": charts.bars([(r.name, r.stopped_share) for r in rows[:40]]),
            "path_labels": sources.path_labels(),
        }
    )
    stamp = timezone.localdate().isoformat()
    return _response(
        _pdf("progress/pdf/national.html", context),
        "application/pdf",
        f"no-copy-progress-{stamp}.pdf",
    )


def agency_pdf(*, request, context: dict) -> HttpResponse:
    agency = context["agency"]
    return _response(
        _pdf("progress/pdf/agency.html", context),
        "application/pdf",
        f"no-copy-progress-{agency.code}.pdf",
    )
