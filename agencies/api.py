from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from agencies.models import Agency
from agencies.selectors import agency_search

router = Router(tags=["agencies"])


class AgencyOut(Schema):
    code: str
    kind: str
    name_th: str
    name_en: str
    abbreviation: str
    parent_code: str | None
    ministry_code: str | None
    login_identity: str

    @staticmethod
    def resolve_parent_code(obj: Agency) -> str | None:
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_ministry_code(obj: Agency) -> str | None:
        return obj.ministry.code if obj.ministry_id else None


@router.get("", response=list[AgencyOut], summary="Search the agency directory")
def search_agencies(request, q: str, limit: int = 20):
    """Thai or English name, abbreviation or code; part of a word is enough ("สรรพากร")."""
    return agency_search(query=q[:100], limit=max(1, min(limit, 100)))


@router.get("/{code}", response=AgencyOut, summary="One agency by its code")
def get_agency(request, code: str):
    return get_object_or_404(
        Agency.objects.select_related("parent", "ministry"), code=code, status="active"
    )
