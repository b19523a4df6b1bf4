"""Every read of the Citizen's Manual."""

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from agencies.models import Agency
from core.text import normalize_for_search
from manual.access import can_oversee, can_preview_service
from manual.models import SampleForm, Service, ServiceVersion
from manual.records import build_snapshot, copy_stopped_at, no_longer_required
from manual.search import query_terms

SEARCH_CANDIDATES = 150


def _terms_q(terms) -> Q:
    condition = Q()
    for term in terms:
        either = Q()
        for alternative in term:
            every = Q()
            for part in alternative:
                every &= Q(search_text__contains=part)
            either |= every
        condition &= either
    return condition


def _fts_query(terms) -> str | None:
    """The same condition for SQLite's FTS5 trigram index (parts of 3+ characters only)."""
    clauses = []
    for term in terms:
        options = []
        for alternative in term:
            # Parts under 3 characters cannot be looked up in a trigram index; the longer
            # parts still narrow the candidates, and the LIKE check that follows is exact.
            parts = [p for p in alternative if len(p) >= 3]
            if not parts:
                options = []  # nothing to look up: this whole term is left to LIKE
                break
            options.append(
                "(" + " AND ".join('"' + p.replace('"', '""') + '"' for p in parts) + ")"
            )
        if options:
            clauses.append("(" + " OR ".join(options) + ")")
    return " AND ".join(clauses) if clauses else None


def _uses_fts() -> bool:
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='manual_service_fts'"
        )
        return cursor.fetchone() is not None


def published_services() -> QuerySet[Service]:
    return Service.objects.filter(status=Service.Status.PUBLISHED, current_version__isnull=False)


def services_at_point(*, point, limit: int = 30) -> tuple[list[Service], bool]:
    """The published services a point offers; when its agency has linked none to it, the
    agency's published services (the flag says which of the two it is)."""
    linked = list(published_services().filter(offered_at=point).order_by("name_th")[:limit])
    if linked:
        return linked, False
    agency_wide = published_services().filter(agency_id=point.agency_id).order_by("name_th")
    return list(agency_wide[:limit]), True


@dataclass
class SearchResult:
    services: list[Service] = field(default_factory=list)
    more: bool = False


def service_search(
    *, query: str = "", agency: str = "", category: str = "", province: str = "", limit: int = 50
) -> SearchResult:
    """Published services matching every word of the query (Thai or English) and the filters.

    The agency filter includes the agency's units (a ministry finds its departments' services).
    """
    qs = published_services().select_related("agency")
    if agency:
        qs = qs.filter(
            Q(agency__code=agency)
            | Q(agency__parent__code=agency)
            | Q(agency__ministry__code=agency)
        )
    if category:
        qs = qs.filter(listed_category=category)
    if province:
        qs = qs.filter(listed_provinces__contains=f",{province},")
    terms = query_terms(query) if query else ()
    if terms:
        fts = _fts_query(terms) if _uses_fts() else None
        if fts:
            qs = qs.filter(
                pk__in=RawSQL(
                    "SELECT rowid FROM manual_service_fts WHERE manual_service_fts MATCH %s", [fts]
                )
            )
        qs = qs.filter(_terms_q(terms))
        candidates = list(
            qs.only(
                "pk",
                "agency",
                "listed_name_th",
                "listed_name_en",
                "listed_category",
                "search_text",
                "published_at",
                "agency__code",
                "agency__name_th",
                "agency__name_en",
            )[:SEARCH_CANDIDATES]
        )
        ranked = _rank(candidates, query)
    else:
        ranked = list(qs.order_by("listed_name_th")[: limit + 1])
    return SearchResult(services=ranked[:limit], more=len(ranked) > limit)


def _rank(services: list[Service], query: str) -> list[Service]:
    phrase = normalize_for_search(query)

    def key(service: Service) -> tuple:
        name = normalize_for_search(f"{service.listed_name_th} {service.listed_name_en}")
        return (
            phrase not in name,
            phrase not in service.search_text,
            len(service.listed_name_th),
            service.listed_name_th,
        )

    return sorted(services, key=key)


def service_filter_options() -> dict[str, Any]:
    """Agencies that publish something, for the search page's filter."""
    agency_ids = published_services().values("agency_id")
    agencies = (
        Agency.objects.filter(
            Q(pk__in=agency_ids)
            | Q(children__pk__in=agency_ids)
            | Q(children__children__pk__in=agency_ids)
        )
        .distinct()
        .order_by("name_th")
    )
    return {"agencies": list(agencies.only("code", "name_th", "name_en"))}


def service_get_public(*, pk: int) -> Service | None:
    return published_services().select_related("agency", "current_version").filter(pk=pk).first()


def service_versions(*, service: Service) -> list[ServiceVersion]:
    """Oldest first."""
    return list(
        service.versions.order_by("number").only("number", "published_at", "changes", "service_id")
    )


@dataclass
class PublicView:
    service: Service
    record: dict[str, Any]
    versions: list[ServiceVersion]
    removed: list[dict]
    id_card_copy_stopped_at: Any
    house_registration_copy_stopped_at: Any
    published_at: Any
    is_preview: bool = False


def service_public_view(*, service: Service) -> PublicView:
    """What citizens see: the latest published snapshot and the history of its requirements."""
    versions = service_versions(service=service)
    return PublicView(
        service=service,
        record=service.current_version.snapshot,
        versions=versions,
        removed=no_longer_required(versions),
        id_card_copy_stopped_at=copy_stopped_at(versions, "id_card_copy"),
        house_registration_copy_stopped_at=copy_stopped_at(versions, "house_registration_copy"),
        published_at=service.current_version.published_at,
    )


def service_preview_view(*, service: Service) -> PublicView:
    """The working copy as it would look when published (history as it stands)."""
    versions = service_versions(service=service)
    return PublicView(
        service=service,
        record=build_snapshot(service),
        versions=versions,
        removed=no_longer_required(versions),
        id_card_copy_stopped_at=copy_stopped_at(versions, "id_card_copy"),
        house_registration_copy_stopped_at=copy_stopped_at(versions, "house_registration_copy"),
        published_at=None,
        is_preview=True,
    )


def service_workspace(*, user: Any) -> QuerySet[Service]:
    """Services the user may manage (own agency) or oversee (every agency)."""
    qs = Service.objects.select_related("agency", "current_version").order_by("name_th")
    if can_oversee(user):
        return qs
    agency_id = getattr(user, "agency_id", None)
    return qs.filter(agency_id=agency_id) if agency_id else qs.none()


def service_get_for_staff(*, user: Any, pk: int) -> Service | None:
    """A service the user may preview; None (→ 404) for another agency's."""
    service = (
        Service.objects.select_related("agency", "agency__ministry", "current_version")
        .prefetch_related("steps", "documents", "fees", "channels", "sample_forms")
        .filter(pk=pk)
        .first()
    )
    if service is None or not can_preview_service(user, service):
        return None
    return service


def sample_form_get_public(*, service: Service, form_pk: int) -> SampleForm | None:
    """A form file is public only while the published version lists it."""
    listed = {f["id"] for f in service.current_version.snapshot.get("sample_forms", [])}
    if form_pk not in listed:
        return None
    return SampleForm.objects.filter(service=service, pk=form_pk).first()
