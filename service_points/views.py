import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import access as accounts_access
from core.forms import add_service_errors
from core.http import form_data
from manual.selectors import services_at_point
from service_points import access, conf, divisions, geo, opendata, selectors, services
from service_points.catalog import DATASET, dcat_catalog
from service_points.forms import (
    ApiKeyForm,
    ImportForm,
    MoveToPhotoForm,
    PhotoForm,
    SearchForm,
    ServicePointForm,
)
from service_points.importer import service_point_import
from service_points.models import ApiKey, ServicePoint, ServicePointPhoto

PHOTO_GPS_SESSION_KEY = "service_points_photo_gps"


def _map_context() -> dict:
    layer = conf.tile_layer()
    return {
        "tile_url": layer.url,
        "tile_attribution": layer.attribution,
        "tile_max_zoom": layer.max_zoom,
    }


def _float(value, default=None):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if number == number and abs(number) != float("inf") else default


def _point_or_404(request: HttpRequest, pk: int, *, edit: bool = False) -> ServicePoint:
    point = selectors.service_point_get(pk=pk)
    if point is None:
        raise Http404
    accounts_access.ensure(
        access.can_edit_point(request.user, point)
        if edit
        else access.can_view_point(request.user, point)
    )
    return point


# --- public: map, search, near me, a point ----------------------------------------------
@require_http_methods(["GET"])
def map_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = []
    searched = False
    if form.is_bound and form.is_valid():
        searched = bool(form.cleaned_data["q"] or form.cleaned_data["province"])
        results = selectors.service_point_search(
            query=form.cleaned_data["q"], province_code=form.cleaned_data["province"]
        )
    response = render(
        request,
        "service_points/map.html",
        {
            "form": form,
            "results": results,
            "searched": searched,
            **_map_context(),
        },
    )
    return conf.with_tiles_allowed(response)


@require_http_methods(["GET"])
def clusters(request: HttpRequest) -> JsonResponse:
    """The map asks for its visible box and zoom; the server answers with clusters."""
    try:
        west, south, east, north = (float(v) for v in request.GET.get("bbox", "").split(","))
        zoom = int(request.GET.get("zoom", ""))
    except ValueError:
        return JsonResponse({"error": _("Give bbox=west,south,east,north and zoom.")}, status=400)
    if not selectors.service_point_bbox_ok([west, south, east, north]) or not 0 <= zoom <= 22:
        return JsonResponse({"error": _("Give bbox=west,south,east,north and zoom.")}, status=400)
    data = selectors.service_point_clusters(
        south=south,
        west=west,
        north=north,
        east=east,
        zoom=zoom,
        english=not (get_language() or "th").startswith("th"),
    )
    for point in data["points"]:
        point["url"] = reverse("service_points:detail", kwargs={"pk": point["id"]})
    return JsonResponse(data)


@require_http_methods(["GET"])
def boundary(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(json.dumps(geo.boundary_geojson()), content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_http_methods(["GET"])
def near(request: HttpRequest) -> HttpResponse:
    lat, lon = _float(request.GET.get("lat")), _float(request.GET.get("lon"))
    error = None
    results = []
    if "lat" in request.GET or "lon" in request.GET:
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            error = _("We could not read your position. Allow location, or search by name.")
        else:
            results = selectors.service_point_nearest(lat=lat, lon=lon, limit=20)
    return render(
        request,
        "service_points/near.html",
        {
            "results": results,
            "error": error,
            "lat": lat,
            "lon": lon,
            "search_form": SearchForm(),
        },
    )


def _services_here(point: ServicePoint) -> dict:

    services, agency_wide = services_at_point(point=point)
    return {"services": services, "agency_wide": agency_wide}


@require_http_methods(["GET"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point_or_404(request, pk)
    response = render(
        request,
        "service_points/detail.html",
        {
            "point": point,
            "names": point.division_names(),
            "photos": selectors.service_point_photos(point=point),
            "services_here": _services_here(point),
            "can_edit": access.can_edit_point(request.user, point),
            "show_contact": access.can_edit_point(request.user, point)
            or accounts_access.can_oversee(request.user),
            **_map_context(),
        },
    )
    return conf.with_tiles_allowed(response)


@require_http_methods(["GET"])
def division_options(request: HttpRequest) -> HttpResponse:
    """<option>s for the district or subdistrict list (htmx, on the pin page)."""
    if "province_code" in request.GET:
        choices = divisions.district_choices(request.GET["province_code"][:2])
    elif "district_code" in request.GET:
        choices = divisions.subdistrict_choices(request.GET["district_code"][:4])
    else:
        choices = []
    return render(request, "service_points/includes/options.html", {"choices": choices})


# --- the agency's own points ------------------------------------------------------------
require = accounts_access.require


def _own_agency(request: HttpRequest):
    agency = accounts_access.agency_for_officer(request.user)
    if agency is None:
        raise PermissionDenied
    return agency


@require(access.can_list_points)
@require_http_methods(["GET"])
def mine(request: HttpRequest) -> HttpResponse:
    agency = accounts_access.agency_for_officer(request.user)
    if agency is None:  # overseers: every agency's points, newest first
        qs = ServicePoint.objects.select_related("agency").order_by("-updated_at", "-pk")
    else:
        qs = selectors.service_point_list_for_agency(agency=agency)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "service_points/mine.html",
        {
            "agency": agency,
            "page": page,
            "counts": selectors.service_point_pinned_count(agency=agency) if agency else {},
            "can_manage_keys": access.can_manage_api_keys(request.user),
        },
    )


def _pin_page(
    request: HttpRequest,
    form: ServicePointForm,
    point: ServicePoint | None,
    photo_form: PhotoForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "point": point, **_map_context()}
    if point is not None:
        context.update(
            {
                "photos": selectors.service_point_photos(point=point),
                "photo_form": photo_form or PhotoForm(),
                "history": selectors.service_point_history(point=point),
                "photo_gps": request.session.pop(PHOTO_GPS_SESSION_KEY, None)
                if request.session.get(PHOTO_GPS_SESSION_KEY, {}).get("point") == point.pk
                else None,
            }
        )
    return conf.with_tiles_allowed(
        render(request, "service_points/pin.html", context, status=status)
    )


def _show_warnings(request: HttpRequest, point: ServicePoint) -> None:
    for warning in selectors.service_point_warnings(
        agency=point.agency,
        latitude=point.latitude,
        longitude=point.longitude,
        province_code=point.province_code,
        exclude_pk=point.pk,
    ):
        messages.warning(request, warning.message)


@require(access.can_pin)
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    agency = _own_agency(request)
    form = ServicePointForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            point = services.service_point_create(
                agency=agency, by=request.user, fields=form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The pin is saved as a draft. Add photos, then publish."))
            _show_warnings(request, point)
            return redirect("service_points:edit", pk=point.pk)
    return _pin_page(request, form, None)


@require(access.can_pin)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point_or_404(request, pk, edit=True)
    form = ServicePointForm(form_data(request), instance=ServicePoint.objects.get(pk=point.pk))
    if request.method == "POST" and form.is_valid():
        try:
            point = services.service_point_update(
                point=point, by=request.user, fields=form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            _show_warnings(request, point)
            return redirect("service_points:edit", pk=point.pk)
    return _pin_page(request, form, point)


@require(access.can_pin)
@require_http_methods(["POST"])
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point_or_404(request, pk, edit=True)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            _photo, gps = services.service_point_photo_add(
                point=point,
                by=request.user,
                upload=form.cleaned_data["image"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The photo is added."))
            if gps is not None:
                request.session[PHOTO_GPS_SESSION_KEY] = {
                    "point": point.pk,
                    "lat": gps[0],
                    "lon": gps[1],
                }
            return redirect("service_points:edit", pk=point.pk)
    return _pin_page(request, ServicePointForm(instance=point), point, photo_form=form, status=400)


@require(access.can_pin)
@require_http_methods(["POST"])
def move_to_photo(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point_or_404(request, pk, edit=True)
    form = MoveToPhotoForm(request.POST)
    if form.is_valid():
        try:
            services.service_point_update(
                point=point,
                by=request.user,
                fields={
                    "latitude": form.cleaned_data["latitude"],
                    "longitude": form.cleaned_data["longitude"],
                },
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The pin is moved to where the photo was taken."))
    return redirect("service_points:edit", pk=point.pk)


@require(access.can_pin)
@require_http_methods(["POST"])
def photo_remove(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    point = _point_or_404(request, pk, edit=True)
    photo = ServicePointPhoto.objects.filter(
        point=point, pk=photo_pk, status=ServicePointPhoto.Status.ACTIVE
    ).first()
    if photo is None:
        raise Http404
    services.service_point_photo_archive(photo=photo, by=request.user)
    messages.success(request, _("The photo is removed from the page."))
    return redirect("service_points:edit", pk=point.pk)


@require(access.can_pin)
@require_http_methods(["POST"])
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    point = _point_or_404(request, pk, edit=True)
    service = {
        "publish": services.service_point_publish,
        "archive": services.service_point_archive,
        "restore": services.service_point_restore,
    }.get(action)
    if service is None:
        raise Http404
    try:
        point = service(point=point, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            {
                "publish": _("Published: citizens can now find it on the map."),
                "archive": _("Archived: it is no longer on the map."),
                "restore": _("Restored as a draft."),
            }[action],
        )
    return redirect("service_points:edit", pk=point.pk)


@require(access.can_pin)
@require_http_methods(["GET", "POST"])
def bulk_import(request: HttpRequest) -> HttpResponse:
    agency = _own_agency(request)
    form = ImportForm(form_data(request), request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = service_point_import(
            agency=agency, by=request.user, data=upload.read(), filename=upload.name
        )
        if result.ok:
            messages.success(
                request,
                _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect("service_points:mine")
    return render(
        request,
        "service_points/import.html",
        {"form": form, "result": result},
        status=400 if result is not None and not result.ok else 200,
    )


@require(access.can_manage_api_keys)
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    agency = _own_agency(request)
    form = ApiKeyForm(request.POST if request.POST.get("action") == "create" else None)
    secret = None
    if request.method == "POST" and request.POST.get("action") == "revoke":
        key = ApiKey.objects.filter(
            agency=agency, pk=_float(request.POST.get("key")) or 0, revoked_at__isnull=True
        ).first()
        if key is None:
            raise Http404
        services.api_key_revoke(key=key, by=request.user)
        messages.success(request, _("The key is revoked."))
        return redirect("service_points:api_keys")
    if request.method == "POST" and form.is_valid():
        _key, secret = services.api_key_create(
            agency=agency, by=request.user, name=form.cleaned_data["name"]
        )
    return render(
        request,
        "service_points/api_keys.html",
        {
            "form": form if secret is None else ApiKeyForm(),
            "secret": secret,
            "keys": ApiKey.objects.filter(agency=agency),
        },
    )


# --- open data --------------------------------------------------------------------------
def _base_url(request: HttpRequest) -> str:
    return getattr(settings, "PUBLIC_BASE_URL", "") or request.build_absolute_uri("/")


def _download_name(ext: str) -> str:
    return f"service-points-{timezone.localdate().isoformat()}.{ext}"


@require_http_methods(["GET"])
def opendata_csv(request: HttpRequest) -> StreamingHttpResponse:
    rows = selectors.service_point_open_values(base_url=_base_url(request))
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in opendata.csv_chunks(rows)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_download_name("csv")}"'
    return response


@require_http_methods(["GET"])
def opendata_geojson(request: HttpRequest) -> StreamingHttpResponse:
    rows = selectors.service_point_open_values(base_url=_base_url(request))
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in opendata.geojson_chunks(rows)),
        content_type="application/geo+json",
    )
    response["Content-Disposition"] = f'attachment; filename="{_download_name("geojson")}"'
    return response


@require_http_methods(["GET"])
def opendata_xlsx(request: HttpRequest) -> HttpResponse:
    base_url = _base_url(request)
    state = opendata.xlsx_state(base_url=base_url)
    modified = int(state.last_modified.timestamp()) if state.last_modified else None
    not_modified = get_conditional_response(request, etag=state.etag, last_modified=modified)
    if not_modified is not None:
        return not_modified
    response = FileResponse(
        opendata.xlsx_published(state=state, base_url=base_url),
        as_attachment=True,
        filename=_download_name("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["ETag"] = state.etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    return response


@require_http_methods(["GET"])
def opendata_catalog(request: HttpRequest) -> JsonResponse:

    response = JsonResponse(
        dcat_catalog(base_url=_base_url(request), stats=selectors.service_point_open_stats()),
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )
    response["Content-Type"] = "application/ld+json"
    return response


@require_http_methods(["GET"])
def opendata_page(request: HttpRequest) -> HttpResponse:

    return render(
        request,
        "service_points/opendata.html",
        {
            "dataset": DATASET,
            "stats": selectors.service_point_open_stats(),
            "columns": selectors.OPEN_COLUMNS,
        },
    )
