from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import access as accounts_access
from core.forms import add_service_errors
from core.http import is_htmx
from core.parsing import optional_id
from core.text import grapheme_length, search_text
from readiness import access, exports, selectors, services
from readiness.forms import RowSearchForm, SurveyForm
from readiness.models import SurveyResponse, SurveyRound
from readiness.paths import PATH_LABELS, recommend

MAX_ROWS_PER_POST = 500


@accounts_access.require(access.can_see_readiness)
@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    if access.can_answer_survey(request.user):
        return redirect("readiness:survey")
    return redirect("readiness:overview")


def _initial(draft: SurveyResponse) -> dict:
    initial = {name: getattr(draft, name) for name in services.ANSWER_FIELDS}
    initial["revision"] = draft.revision
    initial["q8_options"] = list(draft.q8_options.all())
    return initial


def _posted_rows(data) -> dict[int, tuple[bool, bool]]:
    rows: dict[int, tuple[bool, bool]] = {}
    for raw in data.getlist("row")[:MAX_ROWS_PER_POST]:
        if (pk := optional_id(raw)) is not None:
            rows[pk] = (f"row-{pk}-id" in data, f"row-{pk}-house" in data)
    return rows


def _page_number(value) -> int:
    return optional_id(str(value or "")) or 1


def _survey_url(*, page: int = 1, query: str = "") -> str:
    params = {k: v for k, v in {"page": page if page > 1 else "", "q": query}.items() if v}
    url = reverse("readiness:survey")
    return f"{url}?{urlencode(params)}#process-table" if params else url


def _survey_draft(request: HttpRequest, agency, context: dict):
    """The draft this request works on, or the page to show instead (gate, closed, start)."""
    if not selectors.agency_has_published_point(agency=agency):
        return None, render(request, "readiness/gate.html", context)
    round = selectors.survey_round_current()
    if round is None:
        context["next_round"] = selectors.survey_round_next()
        context["last_round"] = selectors.survey_round_last_closed()
        return None, render(request, "readiness/closed.html", context)
    context["round"] = round
    draft = selectors.survey_draft(agency=agency, round=round)
    posted_id = optional_id(request.POST.get("response")) if request.method == "POST" else None
    if posted_id is not None and (draft is None or draft.pk != posted_id):
        # The version this form was drawn from was submitted meanwhile: the service says so
        # and the typed answers stay on the page.
        draft = selectors.survey_response_for_agency(pk=posted_id, agency=agency) or draft
    if draft is not None:
        return draft, None
    if request.method == "POST":
        return None, redirect("readiness:survey")
    context["answered_this_round"] = selectors.survey_latest_submitted(agency=agency, round=round)
    return None, render(request, "readiness/start.html", context)


def _next_url(request: HttpRequest, *, action: str, page: int, query: str) -> str:
    """Where a saved draft goes next: the button pressed was a page turn, a search or Save."""
    if action.startswith("page:"):
        return _survey_url(page=_page_number(action.removeprefix("page:")), query=query)
    if action == "search":
        return _survey_url(query=" ".join(request.POST.get("q", "").split())[:100])
    messages.success(request, _("Your draft was saved. You can come back to it."))
    return _survey_url(page=page, query=query)


def _survey_post(request: HttpRequest, draft: SurveyResponse, *, page: int, query: str):
    """Saves or submits the posted answers: (form, posted rows, redirect or None)."""
    action = request.POST.get("action", "save")
    submitting = action == "submit"
    form = SurveyForm(
        request.POST,
        submitting=submitting,
        chosen_options=draft.q8_options.all(),
        round=draft.round,
    )
    posted_rows = _posted_rows(request.POST)
    if not form.is_valid():
        return form, posted_rows, None
    write = services.survey_submit if submitting else services.survey_save_draft
    try:
        write(
            response=draft,
            by=request.user,
            revision=form.cleaned_data["revision"],
            answers=form.answers(),
            limitations=list(form.cleaned_data["q8_options"]),
            rows=posted_rows,
        )
    except services.StaleRevisionError as error:
        form.add_error(None, error.messages)
        data = request.POST.copy()
        data["revision"] = str(getattr(error, "current_revision", draft.revision))
        form.data = data
        draft.refresh_from_db()
        return form, posted_rows, None
    except ValidationError as error:
        add_service_errors(form, error)
        return form, posted_rows, None
    if submitting:
        messages.success(request, _("Thank you: your answers were submitted."))
        return form, posted_rows, redirect(draft.get_absolute_url())
    return form, posted_rows, redirect(_next_url(request, action=action, page=page, query=query))


@accounts_access.require(access.can_answer_survey)
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest) -> HttpResponse:
    agency = accounts_access.agency_for_officer(request.user)
    context = {"agency": agency, "latest": selectors.survey_latest_submitted(agency=agency)}
    draft, instead = _survey_draft(request, agency, context)
    if draft is None:
        return instead
    source = request.POST if request.method == "POST" else request.GET
    query = " ".join(source.get("applied_q", source.get("q", "")).split())[:100]
    page = _page_number(source.get("page"))
    posted_rows: dict[int, tuple[bool, bool]] = {}
    if request.method == "POST":
        form, posted_rows, done = _survey_post(request, draft, page=page, query=query)
        if done is not None:
            return done
    else:
        form = SurveyForm(
            initial=_initial(draft), chosen_options=draft.q8_options.all(), round=draft.round
        )

    rows_page = selectors.survey_rows_page(response=draft, query=query, page=page)
    rows = []
    for row in rows_page.object_list:
        id_card, house = posted_rows.get(
            row.pk, (row.needs_id_card_copy, row.needs_house_registration_copy)
        )
        rows.append({"row": row, "id_card": id_card, "house": house})
    context.update(
        {
            "form": form,
            "comment_length": grapheme_length(str(form["comment"].value() or "")),
            "draft": draft,
            "rows": rows,
            "rows_page": rows_page,
            "query": query,
            "search_form": RowSearchForm(initial={"q": query}),
            "counts": selectors.survey_row_counts(response=draft),
        }
    )
    response = render(request, "readiness/survey.html", context)
    if is_htmx(request) and form.errors:
        # A failed page turn shows the whole form with its errors, not just the table.
        response["HX-Retarget"] = "#main"
        response["HX-Reselect"] = "#main"
        response["HX-Reswap"] = "outerHTML"
    return response


@accounts_access.require(access.can_answer_survey)
@require_http_methods(["POST"])
def start(request: HttpRequest) -> HttpResponse:
    agency = accounts_access.agency_for_officer(request.user)
    try:
        services.survey_open(agency=agency, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("readiness:survey")


@accounts_access.require(access.can_see_readiness)
@require_http_methods(["GET"])
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    response = selectors.survey_response_get(pk=pk)
    if response is None:
        raise Http404
    accounts_access.ensure(access.can_view_response(request.user, response))
    query = search_text(request.GET.get("q"))
    rows_page = selectors.survey_rows_page(
        response=response, query=query, page=request.GET.get("page", 1)
    )
    return render(
        request,
        "readiness/response.html",
        {
            "response": response,
            "recommendation": recommend(response) if response.status != "draft" else None,
            "rows_page": rows_page,
            "query": query,
            "search_form": RowSearchForm(initial={"q": query}),
            "counts": selectors.survey_row_counts(response=response),
            "versions": selectors.survey_history(agency=response.agency),
            "can_edit": access.can_answer_for(request.user, response.agency),
            "labels": {
                f.name: f.verbose_name
                for f in SurveyResponse._meta.get_fields()
                if hasattr(f, "verbose_name")
            },
        },
    )


def _round_from(request: HttpRequest) -> SurveyRound | None:
    pk = optional_id(request.GET.get("round"))
    return SurveyRound.objects.filter(pk=pk).first() if pk is not None else None


@accounts_access.require(access.can_see_overview)
@require_http_methods(["GET"])
def overview(request: HttpRequest) -> HttpResponse:
    round = _round_from(request)
    items = selectors.readiness_latest_by_agency(round=round)
    totals = {key: 0 for key in PATH_LABELS}
    for item in items:
        totals[item.path] += 1
    page = Paginator(items, 100).get_page(request.GET.get("page", 1))
    return render(
        request,
        "readiness/overview.html",
        {
            "page": page,
            "totals": [(PATH_LABELS[key], count) for key, count in totals.items()],
            "answered": len(items),
            "rounds": SurveyRound.objects.all(),
            "round": round,
            "current_round": selectors.survey_round_current(),
        },
    )


@accounts_access.require(access.can_export)
@require_http_methods(["GET"])
def export(request: HttpRequest, kind: str) -> HttpResponse:
    round = _round_from(request)
    if kind == "answers.csv":
        return exports.answers_csv(round=round)
    if kind == "processes.csv":
        return exports.processes_csv(round=round)
    if kind == "readiness.xlsx":
        return exports.workbook(round=round)
    raise Http404
