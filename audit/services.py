from typing import Any

from django.db import models
from django.http import HttpRequest

from audit.models import AuditEvent
from core.http import client_ip


def audit_record(
    *,
    action: str,
    actor: Any = None,
    actor_label: str = "",
    target: models.Model | None = None,
    agency: Any = None,
    request: HttpRequest | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    event = audit_event(
        action=action,
        actor=actor,
        actor_label=actor_label,
        target=target,
        agency=agency,
        request=request,
        data=data,
    )
    event.save()
    return event


def audit_event(
    *,
    action: str,
    actor: Any = None,
    actor_label: str = "",
    target: models.Model | None = None,
    agency: Any = None,
    request: HttpRequest | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """The unsaved event `audit_record` writes: a bulk writer saves many with bulk_create."""
    if actor is not None and not getattr(actor, "is_authenticated", True):
        actor = None
    return AuditEvent(
        action=action,
        actor=actor,
        actor_label=actor_label or (getattr(actor, "email", "") if actor else ""),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        agency=agency,
        ip_address=client_ip(request),
        data=data or {},
    )
