from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from core.tasks import send_email


def email_enqueue(*, to: str, template: str, context: dict[str, Any]) -> None:
    """Renders `<template>_subject.txt` and `<template>.txt` now, in the reader's language,
    and queues the sending.

    Called inside the caller's transaction: the database task backend stores the task with
    the data, so mail goes out only for work that committed.
    """
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    send_email.enqueue(to=[to], subject=subject, body=body)


def public_base_url() -> str:
    """The portal's public address for every link in mail: the configured PUBLIC_BASE_URL,
    never the request's Host header (which a sender can set to anything)."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + "/"
