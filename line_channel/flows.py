"""What the channel does with each event, in the task worker (ADR 0120).

A location gives the nearest service points; "rate" runs the QR page's questionnaire as
quick replies into `feedback.services.response_submit`; "report" asks the category, the
text, a photo and the place, then files through `complaints.services.complaint_submit`;
any other text searches the Citizen's Manual. The chat's language is the user's LINE
language (Thai unless English). State changes waiting for a push ride along in the reply.
"""

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from linebot.v3.webhooks import (
    AccountLinkEvent,
    Event,
    FollowEvent,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
)

from complaints import selectors as complaint_selectors
from complaints.models import Complaint
from complaints.services import TooManyComplaintsError, complaint_submit
from core.parsing import optional_id
from core.text import search_text
from feedback.services import TooManyResponsesError, response_submit
from line_channel import client, identity, notify, replies, selectors, services
from line_channel.models import Chat
from manual import selectors as manual_selectors
from service_points import selectors as point_selectors

logger = logging.getLogger(__name__)
NEAREST = 5
MANUAL_RESULTS = 3
# Typed (or sent by the quick reply) to link LINE to the citizen's own space.
LINK_WORDS = frozenset({"เชื่อมบัญชี", "เชื่อมต่อบัญชี", "link account", "link my account"})


@dataclass
class Turn:
    """One event's conversation turn: who, where to answer, and what to say."""

    user_id: str
    chat: Chat
    reply_token: str | None
    redelivery: bool
    messages: list[Any] = field(default_factory=list)

    @property
    def english(self) -> bool:
        return self.chat.language == "en"

    @property
    def network_token(self) -> str:
        return f"line:{self.chat.user_hash}"

    def say(self, *messages: Any) -> None:
        self.messages.extend(messages)


# --- the worker's entry point ------------------------------------------------------------
def events_handle(event_ids: list[str]) -> int:
    """Handles each event once (the claim); a failure is recorded, not retried (its reply
    token would have expired)."""
    handled = 0
    for event_id in event_ids:
        event = services.event_claim(event_id=event_id)
        if event is None:
            continue
        try:
            event_handle(event.payload, redelivery=event.redelivery)
        except Exception as error:  # noqa: BLE001 - one bad event must not stop the others
            logger.exception("LINE event %s failed", event_id)
            services.event_finish(event=event, error=type(error).__name__)
        else:
            services.event_finish(event=event)
            handled += 1
    return handled


def _sdk_event(payload: dict) -> tuple[Any, str] | None:
    source = payload.get("source") or {}
    if source.get("type") != "user" or not source.get("userId"):
        return None  # the account answers people one to one, not groups or rooms
    user_id = identity.unseal(source["userId"])
    try:
        event = Event.from_dict({**payload, "source": {**source, "userId": user_id}})
    except ValueError:
        return None  # an event type this SDK does not know
    return event, user_id


def event_handle(payload: dict, *, redelivery: bool = False) -> None:
    parsed = _sdk_event(payload)
    if parsed is None:
        return
    event, user_id = parsed
    chat, created = services.chat_for(user_id=user_id)
    if created or isinstance(event, FollowEvent):
        services.chat_for(user_id=user_id, language=client.profile_language(user_id))
        chat.refresh_from_db()
        notify.rich_menu_link(user_id=user_id, language=chat.language)
    turn = Turn(user_id, chat, getattr(event, "reply_token", None), redelivery)
    with translation.override(chat.language):
        _dispatch(turn, event)
        notify.catch_up(turn)
    notify.answer(turn)


def _dispatch(turn: Turn, event: Any) -> None:
    if isinstance(event, FollowEvent):
        turn.say(replies.welcome())
    elif isinstance(event, AccountLinkEvent):
        _link_result(turn, event)
    elif isinstance(event, PostbackEvent):
        _postback(turn, dict(parse_qsl(event.postback.data or "")[:8]))
    elif isinstance(event, MessageEvent):
        _message(turn, event.message)


def _message(turn: Turn, message: Any) -> None:
    step = turn.chat.current_step()
    if isinstance(message, LocationMessageContent):
        if step == Chat.Step.REPORT_LOCATION:
            _report_file(turn, latitude=message.latitude, longitude=message.longitude)
        else:
            _nearest(turn, message.latitude, message.longitude)
    elif isinstance(message, ImageMessageContent) and step == Chat.Step.REPORT_PHOTO:
        _report_photo(turn, message.id)
    elif isinstance(message, TextMessageContent):
        if step == Chat.Step.REPORT_TEXT:
            _report_text(turn, message.text)
        elif " ".join(message.text.lower().split()) in LINK_WORDS:
            _link_start(turn, {})
        else:
            _manual(turn, message.text)
    else:
        turn.say(replies.welcome())


_POSTBACKS: dict[str, Any] = {}


def postback(name: str):
    def register(function):
        _POSTBACKS[name] = function
        return function

    return register


def _postback(turn: Turn, data: dict[str, str]) -> None:
    handler = _POSTBACKS.get(data.get("a", ""))
    if handler is None:
        turn.say(replies.welcome())
        return
    handler(turn, data)


# --- near me -------------------------------------------------------------------------
def _nearest(turn: Turn, latitude: float, longitude: float) -> None:
    nearby = point_selectors.service_point_nearest(lat=latitude, lon=longitude, limit=NEAREST)
    turn.say(replies.nearest_points(nearby, english=turn.english))


@postback("near")
def _near(turn: Turn, data: dict[str, str]) -> None:
    turn.say(replies.ask_location(_("Send your location: the nearest service points come back.")))


# --- the Citizen's Manual -----------------------------------------------------------------
def _manual(turn: Turn, text: str) -> None:
    if turn.chat.current_step() != Chat.Step.IDLE:
        services.chat_step(chat=turn.chat, step=Chat.Step.IDLE)
    query = search_text(text)
    found = selectors.manual_search(text=query, limit=MANUAL_RESULTS)
    turn.say(replies.manual_results(found, english=turn.english))


@postback("manual")
def _manual_prompt(turn: Turn, data: dict[str, str]) -> None:
    turn.say(replies.text(_("Type the service you need, e.g. “ID card” or “house registration”.")))


@postback("cancel")
def _cancel(turn: Turn, data: dict[str, str]) -> None:
    services.chat_step(chat=turn.chat, step=Chat.Step.IDLE)
    turn.say(replies.text(_("Cancelled.")))


# --- linking LINE to the citizen's own space (LINE's account link, ADR 0122) ------------
@postback("link")
def _link_start(turn: Turn, data: dict[str, str]) -> None:
    """Asks LINE for a link token and offers our page, where the citizen signs in."""
    try:
        token = client.link_token(turn.user_id)
    except client.ApiError:
        turn.say(replies.text(_("LINE could not start the link just now. Try again later.")))
        return
    turn.say(replies.link_offer(token))


def _link_result(turn: Turn, event: AccountLinkEvent) -> None:
    link = event.link
    citizen = services.line_link_complete(
        user_id=turn.user_id, nonce=link.nonce or "", ok=link.result == "ok"
    )
    turn.say(replies.linked() if citizen is not None else replies.link_failed())


# --- rating (the QR page's questionnaire) ---------------------------------------------------
def _point(raw: str | None):
    pk = optional_id(raw)
    return (
        point_selectors.published().select_related("agency").filter(pk=pk).first() if pk else None
    )


@postback("rate")
def _rate(turn: Turn, data: dict[str, str]) -> None:
    point = _point(data.get("p"))
    if point is None:
        turn.say(replies.ask_location(_("Send your location, then choose the point to rate.")))
        return
    services.chat_step(chat=turn.chat, step=Chat.Step.RATE, data={"point": point.pk})
    offered, _agency_wide = manual_selectors.services_at_point(point=point, limit=12)
    choices = [((s.pk), (turn.english and s.name_en) or s.name_th) for s in offered]
    name = (turn.english and point.name_en) or point.name_th
    turn.say(replies.ask_service(name, choices))


def _rating(turn: Turn) -> dict | None:
    if turn.chat.current_step() != Chat.Step.RATE:
        turn.say(replies.text(_("That question has expired. Start again from the point.")))
        return None
    return dict(turn.chat.data)


@postback("svc")
def _rate_service(turn: Turn, data: dict[str, str]) -> None:
    rating = _rating(turn)
    if rating is None:
        return
    rating["service"] = optional_id(data.get("s"))
    services.chat_step(chat=turn.chat, step=Chat.Step.RATE, data=rating)
    turn.say(replies.ask_score(replies.SCORES[0], 1))


@postback("score")
def _rate_score(turn: Turn, data: dict[str, str]) -> None:
    rating = _rating(turn)
    name, value = data.get("q", ""), optional_id(data.get("v"))
    if rating is None or name not in replies.SCORES or value not in range(1, 6):
        return
    rating[name] = value
    services.chat_step(chat=turn.chat, step=Chat.Step.RATE, data=rating)
    missing = [score for score in replies.SCORES if score not in rating]
    if missing:
        turn.say(replies.ask_score(missing[0], replies.SCORES.index(missing[0]) + 1))
    else:
        turn.say(replies.ask_copy())


@postback("copy")
def _rate_copy(turn: Turn, data: dict[str, str]) -> None:
    rating = _rating(turn)
    if rating is None or any(score not in rating for score in replies.SCORES):
        return
    services.chat_step(chat=turn.chat, step=Chat.Step.IDLE)
    point = _point(str(rating.get("point")))
    service = selectors.service_of_point(point=point, pk=rating.get("service"))
    try:
        response_submit(
            point=point,
            service=service,
            **{score: rating[score] for score in replies.SCORES},
            asked_for_copy=data.get("v") == "yes",
            device_token=turn.chat.user_hash,
            network_token=turn.network_token,
        )
    except TooManyResponsesError:
        turn.say(replies.text(_("Too many answers have come from this chat. Try again later.")))
    except ValidationError as error:
        turn.say(replies.text(" ".join(error.messages)))
    else:
        turn.say(replies.text(_("Thank you. Your answer helps the agency improve its service.")))


# --- reporting a problem ----------------------------------------------------------------
def _report(turn: Turn) -> dict:
    return dict(turn.chat.data)


@postback("report")
def _report_start(turn: Turn, data: dict[str, str]) -> None:
    point = _point(data.get("p"))
    services.chat_step(
        chat=turn.chat,
        step=Chat.Step.REPORT_CATEGORY,
        data={"point": point.pk if point else None},
    )
    turn.say(replies.ask_category(complaint_selectors.categories_active(), turn.english))


@postback("cat")
def _report_category(turn: Turn, data: dict[str, str]) -> None:
    if turn.chat.current_step() != Chat.Step.REPORT_CATEGORY:
        turn.say(replies.text(_("That question has expired. Tap “Report a problem” again.")))
        return
    category = complaint_selectors.categories_active().filter(code=data.get("c", "")).first()
    if category is None:
        turn.say(replies.ask_category(complaint_selectors.categories_active(), turn.english))
        return
    report = {**_report(turn), "category": category.code}
    services.chat_step(chat=turn.chat, step=Chat.Step.REPORT_TEXT, data=report)
    turn.say(replies.ask_description())


def _report_text(turn: Turn, text: str) -> None:
    report = {**_report(turn), "description": text[:4000]}
    services.chat_step(chat=turn.chat, step=Chat.Step.REPORT_PHOTO, data=report)
    turn.say(replies.ask_photo())


def _report_photo(turn: Turn, message_id: str | None) -> None:
    report = {**_report(turn), "photo": message_id}
    _after_photo(turn, report)


@postback("nophoto")
def _report_no_photo(turn: Turn, data: dict[str, str]) -> None:
    if turn.chat.current_step() != Chat.Step.REPORT_PHOTO:
        return
    _after_photo(turn, {**_report(turn), "photo": None})


def _after_photo(turn: Turn, report: dict) -> None:
    if report.get("point"):
        services.chat_step(chat=turn.chat, step=Chat.Step.REPORT_LOCATION, data=report)
        _report_file(turn, latitude=None, longitude=None)
        return
    services.chat_step(chat=turn.chat, step=Chat.Step.REPORT_LOCATION, data=report)
    turn.say(replies.ask_location(_("Send the place of the problem (share a location).")))


def _photos(report: dict) -> list[ContentFile]:
    if not report.get("photo"):
        return []
    try:
        content = client.content(str(report["photo"]))
    except client.ApiError:  # LINE keeps a photo for a limited time
        raise ValidationError(
            {"photos": [_("The photo could not be fetched from LINE. Send it again.")]}
        ) from None
    return [ContentFile(content, name="line-photo")]


def _report_file(turn: Turn, *, latitude: float | None, longitude: float | None) -> None:
    report = _report(turn)
    category = complaint_selectors.categories_active().filter(code=report.get("category")).first()
    if category is None:
        services.chat_step(chat=turn.chat, step=Chat.Step.IDLE)
        turn.say(replies.text(_("That question has expired. Tap “Report a problem” again.")))
        return
    try:
        with transaction.atomic():
            complaint = complaint_submit(
                category=category,
                description=report.get("description", ""),
                latitude=latitude,
                longitude=longitude,
                point=_point(str(report.get("point") or "")),
                photos=_photos(report),
                device_token=turn.chat.user_hash,
                network_token=turn.network_token,
                source=Complaint.Source.LINE,
            )
            services.complaint_link(
                complaint=complaint, user_id=turn.user_id, language=turn.chat.language
            )
    except TooManyComplaintsError:
        turn.say(replies.text(_("Too many complaints have come from this chat. Try again later.")))
        return
    except ValidationError as error:
        _report_refused(turn, error)
        return
    services.chat_step(chat=turn.chat, step=Chat.Step.IDLE)
    turn.say(replies.filed(complaint))


def _report_refused(turn: Turn, error: ValidationError) -> None:
    """Says what was wrong and asks again for the part that was."""
    fields = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    said = " ".join(message for messages in fields.values() for message in messages)
    if "photos" in fields:
        services.chat_step(chat=turn.chat, step=Chat.Step.REPORT_PHOTO, data=_report(turn))
        turn.say(replies.text(said), replies.ask_photo())
    elif "description" in fields:
        services.chat_step(chat=turn.chat, step=Chat.Step.REPORT_TEXT, data=_report(turn))
        turn.say(replies.text(said), replies.ask_description())
    else:
        turn.say(replies.ask_location(said))
