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


def agency_checklist(*, agency: Agency) -> list[dict]:
    """The seed's path for an agency: registered → pinned → surveyed → processes updated.

    Steps whose feature is not built yet say so instead of pretending to be done.
    """
    from django.utils.translation import gettext_lazy as _

    registered = agency.registrations.filter(status="activated").exists()
    return [
        {
            "key": "registered",
            "label": _("Registered for credentials"),
            "done": registered,
            "url": None,
            "available": True,
        },
        _pinned_step(agency),
        _surveyed_step(agency),
        {
            "key": "processes",
            "label": _("Updated processes to stop asking for copies"),
            "done": False,
            "url": None,
            "available": False,
        },
    ]


def _pinned_step(agency: Agency) -> dict:
    """Available from the service points app; done once the agency has published a point."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from service_points.models import ServicePoint

    done = ServicePoint.objects.filter(agency=agency, status=ServicePoint.Status.PUBLISHED).exists()
    return {
        "key": "pinned",
        "label": _("Pinned every service point on the map"),
        "done": done,
        "url": reverse("service_points:mine"),
        "available": True,
    }


def _surveyed_step(agency: Agency) -> dict:
    """Available from the readiness app; done once the agency has submitted its answers."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from readiness.models import SurveyResponse

    done = SurveyResponse.objects.filter(
        agency=agency,
        status__in=[SurveyResponse.Status.SUBMITTED, SurveyResponse.Status.SUPERSEDED],
    ).exists()
    return {
        "key": "surveyed",
        "label": _("Answered the readiness survey"),
        "done": done,
        "url": reverse("readiness:survey"),
        "available": True,
    }
