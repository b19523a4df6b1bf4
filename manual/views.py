from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from core.forms import add_service_errors
from core.http import form_data
from manual import access as manual_access
from manual.display import jsonld, jsonld_script_body, labelled
from manual.fields import CHILDREN
from manual.forms import (
    FORMSETS,
    ImportForm,
    OfferedAtForm,
    SampleFormUploadForm,
    SearchForm,
    ServiceForm,
)
from manual.importer import IMPORT_MAX_BYTES
from manual.models import Service
from manual.selectors import (
    sample_form_get_public,
    service_filter_options,
    service_get_for_staff,
    service_get_public,
    service_preview_view,
    service_public_view,
    service_search,
    service_workspace,
)
from manual.services import (
    sample_form_add,
    sample_form_archive,
    service_archive,
    service_import,
    service_points_set,
    service_publish,
    service_reopen,
    service_save,
)

# --- citizens -----------------------------------------------------------------------------


@require_http_methods(["GET"])
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, agencies=service_filter_options()["agencies"])
    searched = bool(request.GET)
    result = None
    if form.is_valid():
        data = form.cleaned_data
        result = service_search(
            query=data["q"],
            agency=data["agency"],
            category=data["category"],
            province=data["province"],
        )
    elif not searched:
        result = service_search()
    return render(
        request, "manual/search.html", {"form": form, "result": result, "searched": searched}
    )


def _detail_context(request: HttpRequest, view) -> dict:
    record = labelled(view.record)
    url = request.build_absolute_uri(view.service.get_absolute_url())
    return {
        "view": view,
        "record": record,
        "service": view.service,
        "jsonld": jsonld_script_body(jsonld(view.record, url=url)) if not view.is_preview else None,
    }


@require_http_methods(["GET"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = service_get_public(pk=pk)
    if service is None:
        raise Http404
    return render(
        request,
        "manual/detail.html",
        _detail_context(request, service_public_view(service=service)),
    )


@require_http_methods(["GET"])
def sample_form(request: HttpRequest, pk: int, form_pk: int) -> HttpResponse:
    service = service_get_public(pk=pk)
    form = sample_form_get_public(service=service, form_pk=form_pk) if service else None
    if form is None:
        raise Http404
    response = FileResponse(
        form.file.open("rb"),
        content_type=form.content_type,
        as_attachment=True,
        filename=form.file.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- agency staff -------------------------------------------------------------------------


def _get_for_staff(request: HttpRequest, pk: int) -> Service:
    service = service_get_for_staff(user=request.user, pk=pk)
    access.ensure(service is not None)
    return service


def _get_for_edit(request: HttpRequest, pk: int) -> Service:
    service = _get_for_staff(request, pk)
    # Overseers may look but not touch: 404 like any other agency's record.
    access.ensure(manual_access.can_edit_service(request.user, service))
    return service


@access.require(manual_access.can_see_workspace)
@require_http_methods(["GET"])
def workspace(request: HttpRequest) -> HttpResponse:
    services = list(service_workspace(user=request.user)[:500])
    return render(
        request,
        "manual/workspace.html",
        {
            "services": services,
            "can_manage": manual_access.can_manage_manual(request.user),
        },
    )


def _rows_of(service: Service | None) -> dict[str, list[dict]]:
    if service is None:
        return {relation: [] for relation in CHILDREN}
    return {
        relation: [
            {name: getattr(item, name) for name in fields}
            for item in getattr(service, relation).all()
        ]
        for relation, (_model, fields) in CHILDREN.items()
    }


ALWAYS_ONE_ROW = ("steps", "channels")


def _unbound_formsets(rows: dict[str, list[dict]], extra_for: str = "") -> dict:
    """Existing rows, plus an empty row where one was asked for (or a list is empty).

    Empty rows are "extra" forms: left blank, they are ignored rather than refused."""
    formsets = {}
    for prefix, (formset_class, legend, add_label) in FORMSETS.items():
        initial = [dict(row, ORDER=number) for number, row in enumerate(rows[prefix], start=1)]
        formset = formset_class(initial=initial, prefix=prefix)
        formset.extra = int(prefix == extra_for or (prefix in ALWAYS_ONE_ROW and not initial))
        formsets[prefix] = (formset, legend, add_label)
    return formsets


def _bound_formsets(data) -> dict:
    return {
        prefix: (formset_class(data, prefix=prefix), legend, add_label)
        for prefix, (formset_class, legend, add_label) in FORMSETS.items()
    }


def _cleaned_rows(formset) -> list[dict]:
    return [
        {k: v for k, v in form.cleaned_data.items() if k not in ("ORDER", "DELETE")}
        for form in formset.ordered_forms
    ]


def _edit(request: HttpRequest, service: Service | None) -> HttpResponse:
    agency = access.agency_for_officer(request.user)
    instance = service or Service(agency=agency)
    if request.method != "POST":
        form = ServiceForm(instance=instance)
        formsets = _unbound_formsets(_rows_of(service))
    else:
        form = ServiceForm(request.POST, instance=instance)
        formsets = _bound_formsets(request.POST)
        adding = request.POST.get("add", "")
        if adding in FORMSETS:
            # "Add a row" (works without JavaScript; htmx swaps the form in place). Nothing
            # is saved: what was typed comes back with one more, empty, row.
            data = request.POST.copy()
            total = f"{adding}-TOTAL_FORMS"
            data[total] = str(min(int(data.get(total) or 0), 49) + 1)
            formsets = _bound_formsets(data)
        formsets_valid = all(fs.is_valid() for fs, _l, _a in formsets.values())
        if adding in FORMSETS and formsets_valid:
            rows = {p: _cleaned_rows(fs) for p, (fs, _l, _a) in formsets.items()}
            form = ServiceForm(initial=request.POST.dict(), instance=instance)
            formsets = _unbound_formsets(rows, extra_for=adding)
        elif form.is_valid() and formsets_valid and not adding:
            rows = {p: _cleaned_rows(fs) for p, (fs, _l, _a) in formsets.items()}
            try:
                saved = service_save(
                    by=request.user,
                    agency=agency,
                    service=service,
                    fields=form.cleaned_data,
                    **rows,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved. Citizens see the changes once you publish."))
                return redirect("manual:edit", pk=saved.pk)
    return render(
        request,
        "manual/edit.html",
        {
            "service": service,
            "form": form,
            "formsets": formsets,
            "has_errors": bool(form.errors)
            or any(
                fs.is_bound and (fs.non_form_errors() or any(fs.errors))
                for fs, _l, _a in formsets.values()
            ),
        },
    )


@access.require(manual_access.can_manage_manual)
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@access.require(manual_access.can_see_workspace)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = _get_for_edit(request, pk)
    if service.status == Service.Status.ARCHIVED:
        return redirect("manual:preview", pk=pk)
    return _edit(request, service)


@access.require(manual_access.can_see_workspace)
@require_http_methods(["GET"])
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    service = _get_for_staff(request, pk)
    context = _detail_context(request, service_preview_view(service=service))
    context["can_edit"] = manual_access.can_edit_service(request.user, service)
    return render(request, "manual/detail.html", context)


def _transition(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    service = _get_for_edit(request, pk)
    try:
        action(service=service, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("manual:preview", pk=pk)


@access.require(manual_access.can_manage_manual)
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, service_publish, _("Published. Citizens now see this version."))


@access.require(manual_access.can_manage_manual)
@require_POST
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request, pk, service_archive, _("Archived. The service is no longer in the public manual.")
    )


@access.require(manual_access.can_manage_manual)
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request, pk, service_reopen, _("Reopened as a draft. Publish it to show it again.")
    )


@access.require(manual_access.can_see_workspace)
@require_http_methods(["GET", "POST"])
def sample_forms(request: HttpRequest, pk: int) -> HttpResponse:
    service = _get_for_edit(request, pk)
    form = SampleFormUploadForm(
        form_data(request), request.FILES if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            sample_form_add(
                service=service,
                by=request.user,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The form was added. Publish to show it to citizens."))
            return redirect("manual:sample_forms", pk=pk)
    return render(
        request,
        "manual/sample_forms.html",
        {
            "service": service,
            "form": form,
            "files": [f for f in service.sample_forms.all() if not f.is_archived],
        },
    )


@access.require(manual_access.can_see_workspace)
@require_http_methods(["GET", "POST"])
def offered_at(request: HttpRequest, pk: int) -> HttpResponse:
    service = _get_for_edit(request, pk)
    form = OfferedAtForm(
        form_data(request),
        agency=service.agency,
        initial={"points": list(service.offered_at.all())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            service_points_set(
                service=service, by=request.user, points=list(form.cleaned_data["points"])
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The service points were saved. Publish to show them to citizens.")
            )
            return redirect("manual:edit", pk=pk)
    return render(request, "manual/offered_at.html", {"service": service, "form": form})


@access.require(manual_access.can_manage_manual)
@require_POST
def sample_form_remove(request: HttpRequest, pk: int, form_pk: int) -> HttpResponse:
    service = _get_for_edit(request, pk)
    item = next((f for f in service.sample_forms.all() if f.pk == form_pk), None)
    access.ensure(item is not None)
    try:
        sample_form_archive(form=item, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The form was removed."))
    return redirect("manual:sample_forms", pk=pk)


@access.require(manual_access.can_manage_manual)
@require_http_methods(["GET", "POST"])
def import_services(request: HttpRequest) -> HttpResponse:
    form = ImportForm(form_data(request), request.FILES if request.method == "POST" else None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = upload.name.lower()
        if upload.size > IMPORT_MAX_BYTES:
            form.add_error("file", _("The file is too large: at most 2 MB."))
        elif not name.endswith((".json", ".csv")):
            form.add_error("file", _("Use a .json or .csv file."))
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", _("The file is not UTF-8 text."))
            else:
                result = service_import(
                    by=request.user,
                    agency=access.agency_for_officer(request.user),
                    text=text,
                    fmt="json" if name.endswith(".json") else "csv",
                )
                if result.ok:
                    messages.success(
                        request,
                        _("Imported %(created)s new and %(updated)s updated services as drafts.")
                        % {"created": result.created, "updated": result.updated},
                    )
                    return redirect(reverse("manual:workspace"))
    return render(request, "manual/import.html", {"form": form, "result": result})
