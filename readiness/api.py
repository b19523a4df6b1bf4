"""Readiness for signed-in people: overseers see every agency, agency staff their own."""

from datetime import date, datetime

from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from accounts.access import agency_for_officer, can_oversee
from readiness.selectors import readiness_latest_by_agency

router = Router(tags=["readiness"], auth=django_auth)


class ReadinessOut(Schema):
    agency_code: str
    agency_name_th: str
    round: str
    version: int
    submitted_at: datetime | None
    path: str
    path_label: str
    q1_system: str
    q5_mou: str
    q6_linkage: str
    q6_expected_on: date | None
    q7_readers: str
    q7_readers_owned: int | None
    q7_readers_needed: int | None


@router.get(
    "/latest",
    response=list[ReadinessOut],
    summary="Each agency's latest submitted readiness survey, with its path",
)
def latest(request):
    """Overseers and EGA administrators get every agency; agency staff get their own."""
    user = request.auth
    own = agency_for_officer(user)
    if not can_oversee(user) and own is None:
        raise HttpError(403, "Not allowed")
    items = readiness_latest_by_agency()
    if not can_oversee(user):
        items = [item for item in items if item.agency.pk == own.pk]
    return [
        {
            "agency_code": item.agency.code,
            "agency_name_th": item.agency.name_th,
            "round": str(item.response.round),
            "version": item.response.version,
            "submitted_at": item.response.submitted_at,
            "path": item.path,
            "path_label": item.recommendation.label,
            **{
                name: getattr(item.response, name)
                for name in (
                    "q1_system",
                    "q5_mou",
                    "q6_linkage",
                    "q6_expected_on",
                    "q7_readers",
                    "q7_readers_owned",
                    "q7_readers_needed",
                )
            },
        }
        for item in items
    ]
