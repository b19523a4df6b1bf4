"""The audit trail's event details in words: `options_added: ['ง']` becomes
"ตัวเลือกที่เพิ่ม: ง", dates in the reader's era, a service point's change as before → after."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import pgettext, pgettext_lazy

from core.templatetags.thai_dates import format_date, format_datetime

KEY_LABELS = {
    "after": pgettext_lazy("audit detail", "after"),
    "agencies": pgettext_lazy("audit detail", "agencies"),
    "agencies_reached": pgettext_lazy("audit detail", "agencies reached"),
    "agencies_without_members": pgettext_lazy("audit detail", "agencies with no one to email"),
    "algorithm": pgettext_lazy("audit detail", "key algorithm"),
    "before": pgettext_lazy("audit detail", "before"),
    "certified": pgettext_lazy("audit detail", "certified"),
    "closes_on": pgettext_lazy("audit detail", "closes on"),
    "created": pgettext_lazy("audit detail", "created"),
    "days": pgettext_lazy("audit detail", "days"),
    "document_type": pgettext_lazy("audit detail", "document type"),
    "emails": pgettext_lazy("audit detail", "emails"),
    "endpoint": pgettext_lazy("audit detail", "endpoint"),
    "failures": pgettext_lazy("audit detail", "failures"),
    "fields": pgettext_lazy("audit detail", "fields"),
    "file": pgettext_lazy("audit detail", "file"),
    "fingerprint": pgettext_lazy("audit detail", "fingerprint"),
    "format": pgettext_lazy("audit detail", "format"),
    "from": pgettext_lazy("audit detail", "from"),
    "is_active": pgettext_lazy("audit detail", "in use"),
    "kid": pgettext_lazy("audit detail", "key id"),
    "letter": pgettext_lazy("audit detail", "letter"),
    "name": pgettext_lazy("audit detail", "name"),
    "opens_on": pgettext_lazy("audit detail", "opens on"),
    "options": pgettext_lazy("audit detail", "question 8 options"),
    "options_added": pgettext_lazy("audit detail", "options added"),
    "options_removed": pgettext_lazy("audit detail", "options removed"),
    "points": pgettext_lazy("audit detail", "service points"),
    "provider": pgettext_lazy("audit detail", "provider"),
    "purpose": pgettext_lazy("audit detail", "purpose"),
    "reason": pgettext_lazy("audit detail", "reason"),
    "reminded_recently": pgettext_lazy("audit detail", "reminded recently"),
    "responses": pgettext_lazy("audit detail", "answers"),
    "revision": pgettext_lazy("audit detail", "revision"),
    "round": pgettext_lazy("audit detail", "survey round"),
    "sent": pgettext_lazy("audit detail", "sent"),
    "service": pgettext_lazy("audit detail", "service"),
    "size": pgettext_lazy("audit detail", "size"),
    "source": pgettext_lazy("audit detail", "source"),
    "text_th": pgettext_lazy("audit detail", "text in Thai"),
    "to": pgettext_lazy("audit detail", "to"),
    "type": pgettext_lazy("audit detail", "type"),
    "unchanged": pgettext_lazy("audit detail", "unchanged"),
    "updated": pgettext_lazy("audit detail", "updated"),
    "use": pgettext_lazy("audit detail", "use"),
    "version": pgettext_lazy("audit detail", "version"),
    "was": pgettext_lazy("audit detail", "was"),
}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# Actions whose data is {"field": [before, after]} (service_points.services._record).
_CHANGE_ACTIONS = ("service_point.",)


def _model(target_type: str):
    try:
        return apps.get_model(target_type) if "." in target_type else None
    except (LookupError, ValueError):
        return None


def key_label(key: str, model=None) -> str:
    if key in KEY_LABELS:
        return str(KEY_LABELS[key])
    if model is not None:
        try:
            return str(model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            pass
    return key.replace("_", " ")


def _text(value: str) -> str:
    if _DATE.match(value):
        try:
            return format_date(datetime.date.fromisoformat(value))
        except ValueError:
            return value
    if _DATETIME.match(value):
        try:
            moment = datetime.datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return format_datetime(moment)
        except ValueError:
            return value
    return value


def value_text(value: Any, model=None) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return pgettext("audit detail", "yes") if value else pgettext("audit detail", "no")
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v, model) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{key_label(k, model)}: {value_text(v, model)}" for k, v in value.items())
    return str(value)


def readable(event) -> list[tuple[str, str]]:
    """(label, value) pairs for one audit event's data, in the reader's language."""
    model = _model(event.target_type or "")
    is_change = event.action.startswith(_CHANGE_ACTIONS)
    pairs = []
    for key, value in (event.data or {}).items():
        if is_change and isinstance(value, list) and len(value) == 2:
            text = f"{value_text(value[0], model)} → {value_text(value[1], model)}"
        else:
            text = value_text(value, model)
        pairs.append((key_label(key, model), text))
    return pairs


def target_label(event) -> str:
    model = _model(event.target_type or "")
    name = str(model._meta.verbose_name) if model is not None else event.target_type
    return f"{name} {event.target_id}".strip()
