"""A published snapshot made readable: labels in the reader's language, and schema.org JSON-LD."""

import copy
import json
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from manual.models import DurationUnit, RequiredDocument, Service, ServiceChannel
from manual.provinces import province_name
from manual.records import needs_house_registration_copy, needs_id_card_copy


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def labelled(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of the snapshot with display labels beside the stored values."""
    record = copy.deepcopy(record)
    record["category_label"] = _label(Service.Category, record["category"])
    record["needs_id_card_copy"] = needs_id_card_copy(record)
    record["needs_house_registration_copy"] = needs_house_registration_copy(record)
    if record.get("total_duration"):
        record["total_duration"]["unit_label"] = _label(
            DurationUnit, record["total_duration"]["unit"]
        )
    for step in record["steps"]:
        step["unit_label"] = _label(DurationUnit, step["duration_unit"])
    for document in record["documents"]:
        document["form_label"] = _label(RequiredDocument.Form, document["form"])
        document["no_copy"] = document["form"] == RequiredDocument.Form.ORIGINAL
    for point in record.get("service_points", []):
        point["province_name"] = province_name(point["province"]) if point["province"] else ""
        try:
            point["url"] = reverse("service_points:detail", kwargs={"pk": point["id"]})
            point["feedback_url"] = reverse("feedback:give", kwargs={"point_pk": point["id"]})
        except NoReverseMatch:
            point["url"] = point["feedback_url"] = ""
    for channel in record["channels"]:
        channel["kind_label"] = _label(ServiceChannel.Kind, channel["kind"])
        channel["province_name"] = province_name(channel["province"]) if channel["province"] else ""
    return record


def jsonld(record: dict[str, Any], *, url: str) -> dict[str, Any]:
    """schema.org GovernmentService for one published service."""
    agency = record["agency"]
    provider = {"@type": "GovernmentOrganization", "name": agency["name_th"]}
    if agency.get("name_en"):
        provider["alternateName"] = agency["name_en"]
    channels = []
    for channel in record["channels"]:
        item: dict[str, Any] = {
            "@type": "ServiceChannel",
            "name": channel["place"] or _label(ServiceChannel.Kind, channel["kind"]),
        }
        if channel["url"]:
            item["serviceUrl"] = channel["url"]
        if channel["place"]:
            place: dict[str, Any] = {"@type": "Place", "name": channel["place"]}
            if channel["province"]:
                place["address"] = {
                    "@type": "PostalAddress",
                    "addressCountry": "TH",
                    "addressRegion": province_name(channel["province"]) or "",
                }
            item["serviceLocation"] = place
        if channel["opening_hours"]:
            item["description"] = channel["opening_hours"]
        channels.append(item)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": record["name_th"],
        "url": url,
        "serviceType": _label(Service.Category, record["category"]),
        "provider": provider,
        "serviceOperator": provider,
        "areaServed": {"@type": "Country", "name": "Thailand"},
        "availableChannel": channels,
    }
    if record.get("name_en"):
        data["alternateName"] = record["name_en"]
    if record.get("description"):
        data["description"] = record["description"]
    if record["no_fee"]:
        data["offers"] = {"@type": "Offer", "price": "0", "priceCurrency": "THB"}
    elif record["fees"]:
        data["offers"] = [
            {
                "@type": "Offer",
                "name": f["description"],
                "price": f["amount"],
                "priceCurrency": "THB",
            }
            for f in record["fees"]
        ]
    return data


def jsonld_script_body(data: dict[str, Any]) -> SafeString:
    """JSON safe inside <script type="application/ld+json"> (no '</script>' break-out)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - escaped above, as django's json_script does
