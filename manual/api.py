"""The public Citizen's Manual as JSON: the same published data as the web pages."""

from typing import Any

from django.http import Http404
from ninja import Router, Schema

from core.text import search_text
from manual.display import jsonld
from manual.selectors import service_get_public, service_public_view, service_search

router = Router(tags=["manual"])


class ServiceSummaryOut(Schema):
    id: int
    name_th: str
    name_en: str
    category: str
    agency_code: str
    agency_name_th: str
    url: str


class VersionOut(Schema):
    number: int
    published_at: Any
    changes: dict


class RemovedDocumentOut(Schema):
    name: str
    removed_at: Any
    was_id_card_copy: bool
    was_house_registration_copy: bool


class ServiceOut(Schema):
    id: int
    url: str
    published_at: Any
    version: int
    record: dict
    no_longer_required: list[RemovedDocumentOut]
    id_card_copy_stopped_at: Any
    house_registration_copy_stopped_at: Any
    history: list[VersionOut]
    jsonld: dict


def _summary(service, request) -> dict:
    return {
        "id": service.pk,
        "name_th": service.listed_name_th,
        "name_en": service.listed_name_en,
        "category": service.listed_category,
        "agency_code": service.agency.code,
        "agency_name_th": service.agency.name_th,
        "url": request.build_absolute_uri(service.get_absolute_url()),
    }


@router.get("/services", response=list[ServiceSummaryOut], summary="Search the Citizen's Manual")
def search_services(
    request, q: str = "", agency: str = "", category: str = "", province: str = "", limit: int = 20
):
    """Published services only. Thai needs no spaces: "บัตรประชาชน" finds
    "การทำบัตรประจำตัวประชาชน". `province` is a two-digit province code (10 = Bangkok)."""
    result = service_search(
        query=search_text(q),
        agency=search_text(agency, max_length=32),
        category=search_text(category, max_length=32),
        province=search_text(province, max_length=2),
        limit=max(1, min(limit, 100)),
    )
    return [_summary(s, request) for s in result.services]


@router.get("/services/{pk}", response=ServiceOut, summary="One published service")
def get_service(request, pk: int):
    service = service_get_public(pk=pk)
    if service is None:
        raise Http404
    view = service_public_view(service=service)
    url = request.build_absolute_uri(service.get_absolute_url())
    return {
        "id": service.pk,
        "url": url,
        "published_at": view.published_at,
        "version": service.current_version.number,
        "record": view.record,
        "no_longer_required": [
            {
                "name": item["document"]["name"],
                "removed_at": item["removed_at"],
                "was_id_card_copy": item["document"]["is_id_card_copy"],
                "was_house_registration_copy": item["document"]["is_house_registration_copy"],
            }
            for item in view.removed
        ],
        "id_card_copy_stopped_at": view.id_card_copy_stopped_at,
        "house_registration_copy_stopped_at": view.house_registration_copy_stopped_at,
        "history": [
            {"number": v.number, "published_at": v.published_at, "changes": v.changes}
            for v in reversed(view.versions)
        ],
        "jsonld": jsonld(view.record, url=url),
    }
