"""Public JSON for the map and others: a published point's counted figures, once there
are enough answers (FEEDBACK_PUBLIC_MIN_RESPONSES)."""

from django.http import Http404
from ninja import Router, Schema

from feedback import conf
from feedback.selectors import feedback_public_summary
from service_points.models import ServicePoint

router = Router(tags=["feedback"])


class AreaOut(Schema):
    key: str
    average: float | None
    top_two_share: float | None


class PointSummaryOut(Schema):
    point: int
    published: bool
    minimum_responses: int
    responses: int | None = None
    satisfaction_top_two_share: float | None = None
    copy_request_rate: float | None = None
    areas: list[AreaOut] = []


@router.get("/points/{pk}/summary", response=PointSummaryOut, summary="A point's public figures")
def point_summary(request, pk: int):
    point = ServicePoint.objects.filter(pk=pk, status=ServicePoint.Status.PUBLISHED).first()
    if point is None:
        raise Http404
    minimum = conf.get("FEEDBACK_PUBLIC_MIN_RESPONSES")
    summary = feedback_public_summary(point=point)
    if summary is None:
        return {"point": point.pk, "published": False, "minimum_responses": minimum}
    return {
        "point": point.pk,
        "published": True,
        "minimum_responses": minimum,
        "responses": summary.responses,
        "satisfaction_top_two_share": summary.satisfaction,
        "copy_request_rate": summary.copy_request_rate,
        "areas": [
            {"key": a["key"], "average": a["average"], "top_two_share": a["top2"]}
            for a in summary.areas()
        ],
    }
