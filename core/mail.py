from typing import Any

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
