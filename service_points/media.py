"""Who may fetch a point's photo file: whoever may see the point, while the photo is shown;
its own agency also while it is removed (core.media)."""

from django.db.models import Q

from service_points import access
from service_points.models import ServicePointPhoto


def photo_rule(request, name: str) -> bool:

    photo = (
        ServicePointPhoto.objects.select_related("point")
        .filter(Q(image=name) | Q(thumbnail=name))
        .first()
    )
    if photo is None:
        return False
    if access.can_edit_point(request.user, photo.point):
        return True
    return photo.status == photo.Status.ACTIVE and access.can_view_point(request.user, photo.point)
