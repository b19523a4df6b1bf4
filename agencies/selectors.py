from django.db.models import Q, QuerySet

from agencies.models import Agency, AgencyRequest
from core.text import normalize_for_search


def agency_search(*, query: str, limit: int = 20, include_archived: bool = False) -> list[Agency]:
    """Agencies whose Thai or English name, abbreviation or code contains every word typed."""
    qs = Agency.objects.select_related("parent", "parent__parent")
    if not include_archived:
        qs = qs.filter(status=Agency.Status.ACTIVE)
    terms = normalize_for_search(query).split()
    if not terms:
        return []
    condition = Q()
    for term in terms[:6]:
        condition &= Q(search_text__contains=term)
    # Shorter names first: "กรมสรรพากร" before "สำนักงานสรรพากรพื้นที่...".
    return _rank(list(qs.filter(condition)[:500]), terms)[:limit]


def _rank(agencies: list[Agency], terms: list[str]) -> list[Agency]:
    kind_order = {"ministry": 0, "independent": 0, "department": 1, "unit": 2}

    def key(agency: Agency) -> tuple:
        exact = any(agency.code == t or agency.search_text.startswith(t) for t in terms)
        return (not exact, kind_order.get(agency.kind, 3), len(agency.name_th), agency.name_th)

    return sorted(agencies, key=key)


def agency_get(*, code: str) -> Agency | None:
    return (
        Agency.objects.select_related("parent", "parent__parent")
        .filter(code=code, status=Agency.Status.ACTIVE)
        .first()
    )


def agency_children(*, agency: Agency) -> QuerySet[Agency]:
    return agency.children.filter(status=Agency.Status.ACTIVE).order_by("name_th")


def agency_top_level() -> QuerySet[Agency]:
    return Agency.objects.filter(
        kind__in=[Agency.Kind.MINISTRY, Agency.Kind.INDEPENDENT], status=Agency.Status.ACTIVE
    ).order_by("kind", "name_th")


def agency_request_pending() -> QuerySet[AgencyRequest]:
    return AgencyRequest.objects.filter(status=AgencyRequest.Status.PENDING).select_related(
        "parent"
    )
