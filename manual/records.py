"""Snapshots of a service as published, and what changed between two of them.

Pure functions over plain dicts: the snapshot is what citizens read (page, API, JSON-LD),
so it holds everything they need and nothing from the working copy.
"""

from decimal import Decimal
from typing import Any

from core.text import normalize_for_search

SNAPSHOT_SCHEMA = 1
DOCUMENT_FIELDS = (
    "form",
    "count",
    "issuing_agency",
    "is_id_card_copy",
    "is_house_registration_copy",
)


def build_snapshot(service) -> dict[str, Any]:
    agency = service.agency
    return {
        "schema": SNAPSHOT_SCHEMA,
        "code": service.code,
        "name_th": service.name_th,
        "name_en": service.name_en,
        "category": service.category,
        "agency": {
            "code": agency.code,
            "name_th": agency.name_th,
            "name_en": agency.name_en,
        },
        "description": service.description,
        "legal_basis": service.legal_basis,
        "criteria": service.criteria,
        "total_duration": (
            {"value": service.total_duration_value, "unit": service.total_duration_unit}
            if service.total_duration_value
            else None
        ),
        "steps": [
            {
                "description": s.description,
                "duration_value": s.duration_value,
                "duration_unit": s.duration_unit,
                "responsible_unit": s.responsible_unit,
            }
            for s in service.steps.all()
        ],
        "documents": [
            {
                "name": d.name,
                "form": d.form,
                "count": d.count,
                "issuing_agency": d.issuing_agency,
                "is_id_card_copy": d.is_id_card_copy,
                "is_house_registration_copy": d.is_house_registration_copy,
                "note": d.note,
            }
            for d in service.documents.all()
        ],
        "no_fee": service.no_fee,
        "fees": [
            {
                "description": f.description,
                "amount": str(Decimal(f.amount).quantize(Decimal("0.01"))),
            }
            for f in service.fees.all()
        ],
        "channels": [
            {
                "kind": c.kind,
                "place": c.place,
                "province": c.province,
                "opening_hours": c.opening_hours,
                "url": c.url,
            }
            for c in service.channels.all()
        ],
        "complaint_channels": service.complaint_channels,
        "sample_forms": [
            {"id": f.pk, "title": f.title, "content_type": f.content_type, "size": f.size}
            for f in service.sample_forms.all()
            if not f.is_archived
        ],
        "notes": service.notes,
        "service_points": [
            {"id": p.pk, "name_th": p.name_th, "name_en": p.name_en, "province": p.province_code}
            for p in service.offered_at.all()
            if p.status == "published"
        ],
    }


def _document_key(document: dict) -> str:
    return normalize_for_search(document["name"])


def needs_id_card_copy(snapshot: dict) -> bool:
    return any(d["is_id_card_copy"] for d in snapshot.get("documents", []))


def needs_house_registration_copy(snapshot: dict) -> bool:
    return any(d["is_house_registration_copy"] for d in snapshot.get("documents", []))


def diff_snapshots(old: dict | None, new: dict) -> dict[str, Any]:
    """Documents added, removed and changed; whether steps, fees or channels changed;
    and whether the ID-card / house-registration copy stopped (or started) being asked for."""
    if old is None:
        return {"first": True}
    old_docs = {_document_key(d): d for d in old.get("documents", [])}
    new_docs = {_document_key(d): d for d in new.get("documents", [])}
    changed = []
    for key in old_docs.keys() & new_docs.keys():
        fields = [f for f in DOCUMENT_FIELDS if old_docs[key].get(f) != new_docs[key].get(f)]
        if fields:
            changed.append({"before": old_docs[key], "after": new_docs[key], "fields": fields})

    def flag(check) -> str | None:
        before, after = check(old), check(new)
        if before and not after:
            return "stopped"
        if after and not before:
            return "started"
        return None

    return {
        "added": [new_docs[k] for k in new_docs if k not in old_docs],
        "removed": [old_docs[k] for k in old_docs if k not in new_docs],
        "changed": sorted(changed, key=lambda c: c["after"]["name"]),
        "steps": old.get("steps") != new.get("steps"),
        "fees": (old.get("no_fee"), old.get("fees")) != (new.get("no_fee"), new.get("fees")),
        "channels": old.get("channels") != new.get("channels"),
        "id_card_copy": flag(needs_id_card_copy),
        "house_registration_copy": flag(needs_house_registration_copy),
    }


def no_longer_required(versions: list) -> list[dict]:
    """Documents an earlier version asked for and the current one does not, with the date
    they were removed. `versions` oldest first; each has `.changes` and `.published_at`."""
    removed: dict[str, dict] = {}
    for version in versions:
        changes = version.changes or {}
        for document in changes.get("removed", []):
            removed[_document_key(document)] = {
                "document": document,
                "removed_at": version.published_at,
            }
        for document in changes.get("added", []):
            removed.pop(_document_key(document), None)
        for change in changes.get("changed", []):
            before, after = change["before"], change["after"]
            if (before["is_id_card_copy"] and not after["is_id_card_copy"]) or (
                before["is_house_registration_copy"] and not after["is_house_registration_copy"]
            ):
                removed[_document_key(before) + "#copy"] = {
                    "document": before,
                    "removed_at": version.published_at,
                    "now": after,
                }
    return sorted(removed.values(), key=lambda item: item["removed_at"], reverse=True)


def copy_stopped_at(versions: list, kind: str):
    """When the service last stopped asking for a copy (`id_card_copy` or
    `house_registration_copy`), if it does not ask for it now; else None."""
    stopped = None
    for version in versions:
        state = (version.changes or {}).get(kind)
        if state == "stopped":
            stopped = version.published_at
        elif state == "started":
            stopped = None
    return stopped
