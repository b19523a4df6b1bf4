"""Public aggregates only: the same figures as the transparency page."""

from ninja import Router, Schema

from progress import selectors

router = Router(tags=["progress"])


class NationalOut(Schema):
    agencies: int
    registered: int
    points: int
    point_target: int
    pinned_agencies: int
    surveyed: int
    paths: dict[str, int]
    processes: int
    asking_id_card: int
    asking_house_registration: int
    stopped_any: int
    copy_free_agencies: int


class ProvinceOut(Schema):
    code: str
    name: str
    points: int
    copy_free_points: int


@router.get("/national", response=NationalOut)
def national(request):
    total = selectors.national()
    return {
        **{name: getattr(total, name) for name in NationalOut.model_fields if hasattr(total, name)},
        "point_target": selectors.point_target(),
    }


@router.get("/provinces", response=list[ProvinceOut])
def provinces(request):
    rows, _total = selectors.provinces()
    return [
        {"code": r.key, "name": r.name, "points": r.points, "copy_free_points": r.copy_free_points}
        for r in rows
    ]
