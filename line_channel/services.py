"""Every write of the LINE channel.

The webhook's acknowledgement is `webhook_accept`: the events of one request in one INSERT
(the user ids sealed), and one task to handle them. `event_claim` lets exactly one worker
handle an event; the citizen's answers and complaints go through feedback's and complaints'
own service functions (flows.py), with the LINE user's keyed hash as the "device".
"""

import secrets
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from audit.services import audit_record
from complaints import conf as complaints_conf
from complaints.models import Complaint
from line_channel import conf, identity, tasks
from line_channel.models import (
    Chat,
    ComplaintLink,
    LinkNonce,
    Notice,
    Push,
    RichMenu,
    WebhookEvent,
)

FORGET_AFTER_QUESTION_DAYS = 14  # time to answer the four-week question
LINK_NONCE_MINUTES = 10  # as long as LINE's link token lives
MAX_EVENTS = 100  # LINE sends far fewer per request; a bigger body is refused


def _stored(event: Any) -> WebhookEvent | None:
    if not isinstance(event, dict):
        raise ValidationError(_("An event is not an object."))
    event_id = event.get("webhookEventId")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 64:
        raise ValidationError(_("An event has no webhookEventId."))
    source = event.get("source")
    if isinstance(source, dict) and isinstance(source.get("userId"), str):
        event = {**event, "source": {**source, "userId": identity.seal(source["userId"])}}
    delivery = event.get("deliveryContext")
    return WebhookEvent(
        event_id=event_id,
        kind=str(event.get("type", ""))[:32],
        payload=event,
        redelivery=bool(isinstance(delivery, dict) and delivery.get("isRedelivery")),
    )


def webhook_accept(*, payload: Any) -> list[str]:
    """Stores a signed webhook body's events (a redelivered one already stored is skipped by
    the unique event id) and enqueues their handling. ValidationError: nothing stored."""
    events = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list) or len(events) > MAX_EVENTS:
        raise ValidationError(_("The body has no list of events."))
    rows = [row for row in (_stored(event) for event in events) if row is not None]
    if not rows:
        return []  # LINE's "verify" button sends no events
    ids = [row.event_id for row in rows]
    with transaction.atomic():
        WebhookEvent.objects.bulk_create(rows, ignore_conflicts=True)
        tasks.events_handle.enqueue(event_ids=ids)
    return ids


def event_claim(*, event_id: str) -> WebhookEvent | None:
    """The event, now being handled by this worker; None if another has (or had) it."""
    taken = WebhookEvent.objects.filter(
        event_id=event_id, status=WebhookEvent.Status.RECEIVED
    ).update(status=WebhookEvent.Status.HANDLING)
    return WebhookEvent.objects.get(event_id=event_id) if taken else None


def event_finish(*, event: WebhookEvent, error: str = "") -> None:
    if error:
        event.fail(error=error)
    else:
        event.finish()
    event.save(update_fields=["status", "handled_at", "error", "payload"])


# --- the chat ------------------------------------------------------------------------
def chat_for(*, user_id: str, language: str | None = None) -> tuple[Chat, bool]:
    chat, created = Chat.objects.get_or_create(
        user_hash=identity.user_hash(user_id), defaults={"language": language or "th"}
    )
    if language and chat.language != language:
        chat.language = language
        chat.save(update_fields=["language"])
    return chat, created


def chat_step(*, chat: Chat, step: str, data: dict | None = None) -> Chat:
    """Moves the conversation on; it is forgotten after LINE_CONVERSATION_MINUTES."""
    chat.step = step
    chat.data = data or {}
    chat.expires_at = (
        None
        if step == Chat.Step.IDLE
        else timezone.now() + timedelta(minutes=conf.get_int("LINE_CONVERSATION_MINUTES"))
    )
    chat.full_clean(exclude=["citizen"], validate_unique=False)
    chat.save(update_fields=["step", "data", "expires_at"])
    return chat


# --- linking LINE to the citizen's own space (LINE's account link, ADR 0122) ------------
def _nonce_hash(nonce: str) -> str:
    return salted_hmac("line_channel.link_nonce", nonce, algorithm="sha256").hexdigest()


def _citizen_label(citizen) -> str:
    return f"citizen:{citizen.pk}"  # as citizens.services: the account, never the person


@transaction.atomic
def line_link_begin(*, citizen, now=None) -> str:
    """The signed-in citizen agreed to link the LINE account that asked for the link token:
    a single-use nonce (only its hash kept) for LINE's account-link page. Returns the nonce."""
    now = now or timezone.now()
    LinkNonce.objects.filter(expires_at__lte=now).delete()  # anyone's, never used in time
    nonce = secrets.token_urlsafe(32)  # LINE: 10-255 characters, hard to guess
    row = LinkNonce(
        citizen=citizen,
        nonce_hash=_nonce_hash(nonce),
        created_at=now,
        expires_at=now + timedelta(minutes=LINK_NONCE_MINUTES),
    )
    row.full_clean(exclude=["citizen"])
    row.save()
    audit_record(
        action="line_channel.link.begun", actor_label=_citizen_label(citizen), target=citizen
    )
    return nonce


def line_link_complete(*, user_id: str, nonce: str, ok: bool, now=None):
    """LINE's `accountLink` event: a valid nonce is consumed once and the LINE user (by hash)
    is linked to the citizen who made it. Returns the citizen, or None when nothing was
    linked (LINE said "failed"; the nonce unknown, expired or used). The nonce is spent even
    when LINE reports a failure: the citizen starts again from the chat."""
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            LinkNonce.objects.select_for_update()
            .select_related("citizen")
            .filter(nonce_hash=_nonce_hash(nonce or ""))
            .first()
        )
        if row is not None:
            LinkNonce.objects.filter(pk=row.pk).delete()  # spent, whatever comes next
        if row is None or not ok or not _usable(row, now):
            audit_record(
                action="line_channel.link.refused",
                data={"result": "ok" if ok else "failed", "nonce": _refusal(row, now)},
            )
            return None
        citizen = row.citizen
        chat, _created = chat_for(user_id=user_id)
        previous = chat.citizen_id
        chat.citizen, chat.linked_at = citizen, now
        chat.save(update_fields=["citizen", "linked_at"])
        audit_record(
            action="line_channel.link.completed",
            actor_label=_citizen_label(citizen),
            target=citizen,
            data={"moved_from_another_citizen": bool(previous and previous != citizen.pk)},
        )
    return citizen


def _usable(row: LinkNonce, now) -> bool:
    return row.expires_at > now and row.citizen.status == row.citizen.Status.ACTIVE


def _refusal(row: LinkNonce | None, now) -> str:
    if row is None:
        return "unknown_or_used"
    return "valid" if _usable(row, now) else "expired_or_archived"


@transaction.atomic
def line_unlink(*, citizen, reason: str) -> int:
    """Every LINE account linked to the citizen is unlinked (their choice, erasure or
    archiving); their LINE complaints leave the space. Returns how many were linked."""
    count = Chat.objects.filter(citizen=citizen).update(citizen=None, linked_at=None)
    LinkNonce.objects.filter(citizen=citizen).delete()
    if count:
        audit_record(
            action="line_channel.link.removed",
            actor_label=_citizen_label(citizen),
            target=citizen,
            data={"reason": reason, "chats": count},
        )
    return count


def line_complaints_forget(*, citizen) -> int:
    """Erasure (PDPA s.33): the sealed LINE user id of every complaint filed from the
    citizen's linked LINE accounts is erased, so nothing can be pushed to them any more; the
    keyed hash stays, as it does for every complaint. Returns how many."""
    hashes = Chat.objects.filter(citizen=citizen).values_list("user_hash", flat=True)
    return (
        ComplaintLink.objects.filter(user_hash__in=list(hashes))
        .exclude(user_id_sealed="")
        .update(user_id_sealed="")
    )


# --- complaints filed from LINE --------------------------------------------------------
def complaint_link(*, complaint, user_id: str, language: str) -> ComplaintLink:
    link = ComplaintLink(
        complaint=complaint,
        user_hash=identity.user_hash(user_id),
        user_id_sealed=identity.seal(user_id),
        language=language,
    )
    link.full_clean(exclude=["complaint"], validate_unique=False)
    link.save()
    return link


def notice_add(*, complaint, state: str, note: str) -> Notice | None:
    """A state change of a complaint filed from LINE waits for the next push."""
    link = ComplaintLink.objects.filter(complaint=complaint).first()
    if link is None:
        return None
    notice = Notice.objects.create(link=link, state=state, note=note)
    tasks.notices_push.enqueue(user_hash=link.user_hash)
    return notice


def month_of(now) -> str:
    return timezone.localtime(now).strftime("%Y-%m")


def push_reserve(*, user_hash: str, now=None) -> Push | None:
    """A push within this month's quota, or None when the quota is used up. Counted before
    sending; with several workers the quota may be passed by at most one push each."""
    now = now or timezone.now()
    month = month_of(now)
    if Push.objects.filter(month=month).count() >= conf.get_int("LINE_PUSH_MONTHLY_QUOTA"):
        return None
    push = Push(user_hash=user_hash, retry_key=uuid.uuid4(), month=month, created_at=now)
    push.full_clean()
    push.save()
    return push


def notices_mark(*, notices: Sequence[Notice], channel: str, push: Push | None = None) -> None:
    Notice.objects.filter(pk__in=[n.pk for n in notices]).update(
        channel=channel, sent_at=timezone.now(), push=push
    )
    if push is not None:
        push_sent(push=push)


def push_sent(*, push: Push) -> None:
    Push.objects.filter(pk=push.pk).update(sent=True)


def links_forget(*, now=None) -> int:
    """The sealed user id of a complaint done long enough ago that no four-week question or
    reopening can follow is erased (`manage.py nightly`). Returns how many."""
    now = now or timezone.now()
    days = complaints_conf.get("COMPLAINTS_QUESTIONNAIRE_DAYS") + FORGET_AFTER_QUESTION_DAYS
    before = now - timedelta(days=days)
    done = Q(complaint__fixed_at__lt=before) | Q(complaint__closed_at__lt=before)
    return (
        ComplaintLink.objects.exclude(user_id_sealed="")
        .filter(done, complaint__state__in=Complaint.DONE_STATES)
        .update(user_id_sealed="")
    )


def rich_menu_save(*, language: str, rich_menu_id: str) -> RichMenu:
    menu, _created = RichMenu.objects.update_or_create(
        language=language, defaults={"rich_menu_id": rich_menu_id}
    )
    return menu
