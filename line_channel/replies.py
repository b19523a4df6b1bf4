"""What the channel says, as the SDK's message models (so every message is checked against
LINE's schema before it leaves). Callers wrap these in the chat's language."""

from collections.abc import Iterable, Sequence
from urllib.parse import urlencode, urljoin

from django.urls import reverse
from django.utils.translation import gettext as _
from linebot.v3.messaging import (
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexCarousel,
    FlexMessage,
    FlexSeparator,
    FlexText,
    LocationAction,
    MessageAction,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
    URIAction,
)

from core.mail import public_base_url
from manual.records import needs_house_registration_copy, needs_id_card_copy

LABEL_MAX = 20  # LINE's limit for a quick reply's and a button's label
MAX_QUICK_REPLIES = 13
SCORES = ("overall", "process", "staff", "facilities", "outcome")


def label(text: str, limit: int = LABEL_MAX) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def postback(text: str, **data: object) -> PostbackAction:
    shown = " ".join(text.split())[:300]
    return PostbackAction(label=label(text), data=urlencode(data), displayText=shown)


def text(body: str, quick: Sequence[object] = ()) -> TextMessage:
    items = [QuickReplyItem(action=action) for action in list(quick)[:MAX_QUICK_REPLIES]]
    return TextMessage(text=body[:5000], quickReply=QuickReply(items=items) if items else None)


def _absolute(path: str) -> str:
    return urljoin(public_base_url(), path.lstrip("/"))


def ask_location(body: str) -> TextMessage:
    return text(body, [LocationAction(label=label(_("Send my location")))])


def welcome() -> TextMessage:
    return text(
        _(
            "Welcome to CITIZENinfo. Send your location to find the nearest service points, "
            "rate the service you got, report a problem, or type what you need "
            "(e.g. “ID card”) to see which documents to bring."
        ),
        [
            LocationAction(label=label(_("Service points near me"))),
            postback(_("Report a problem"), a="report"),
            postback(_("Link to My space"), a="link"),
        ],
    )


# --- linking LINE to the citizen's own space (ADR 0122) ---------------------------------
def link_offer(link_token: str) -> FlexMessage:
    """A button to our page, where the citizen signs in with ThaiD and agrees."""
    page = reverse("citizens:line_link") + "?" + urlencode({"linkToken": link_token})
    body = [
        FlexText(text=_("Link LINE to My space"), weight="bold", wrap=True),
        FlexText(
            text=_(
                "Sign in with ThaiD on the next page: the complaints you file here will then "
                "show in your space on the website. The link is valid for 10 minutes."
            ),
            size="sm",
            wrap=True,
        ),
    ]
    button = URIAction(label=label(_("Link my account")), uri=_absolute(page))
    return FlexMessage(
        altText=_("Link LINE to My space"),
        contents=FlexBubble(
            body=FlexBox(layout="vertical", spacing="sm", contents=body),
            footer=FlexBox(
                layout="vertical", contents=[FlexButton(action=button, style="primary")]
            ),
        ),
    )


def linked() -> TextMessage:
    me = _absolute(reverse("citizens:home"))
    return text(
        _(
            "Done: this LINE account is linked to your space. Your LINE complaints are listed "
            "there: %(link)s. You can unlink at any time on that page."
        )
        % {"link": me}
    )


def link_failed() -> TextMessage:
    return text(
        _(
            "Sorry, the link could not be made (it may have expired or been used already). "
            "Nothing was changed. Tap “Link to My space” to try again."
        ),
        [postback(_("Link to My space"), a="link")],
    )


# --- near me ---------------------------------------------------------------------------
def _distance(metres: float) -> str:
    if metres < 1000:
        return _("%(m)s m away") % {"m": int(round(metres))}
    return _("%(km)s km away") % {"km": f"{metres / 1000:.1f}"}


def _point_bubble(nearby, english: bool) -> FlexBubble:
    point = nearby.point
    name = (english and point.name_en) or point.name_th
    agency = (english and point.agency.name_en) or point.agency.name_th
    hours = point.opening_hours or _("Opening hours not given")
    directions = (
        "https://www.google.com/maps/dir/?api=1&destination="
        f"{point.latitude:.6f}%2C{point.longitude:.6f}"
    )
    body = [
        FlexText(text=name[:200], weight="bold", wrap=True, size="md"),
        FlexText(text=agency[:200], wrap=True, size="sm", color="#555555"),
        FlexText(text=_distance(nearby.distance_m), size="sm"),
        FlexText(text=hours[:200], wrap=True, size="sm"),
    ]
    footer = [
        FlexButton(action=URIAction(label=label(_("Directions")), uri=directions), style="primary"),
        FlexButton(action=postback(_("Rate this service"), a="rate", p=point.pk)),
        FlexButton(action=postback(_("Report a problem"), a="report", p=point.pk)),
        FlexButton(
            action=URIAction(label=label(_("Details")), uri=_absolute(point.get_absolute_url()))
        ),
    ]
    return FlexBubble(
        body=FlexBox(layout="vertical", spacing="sm", contents=body),
        footer=FlexBox(layout="vertical", spacing="sm", contents=footer),
    )


def nearest_points(nearby: Sequence, *, english: bool) -> FlexMessage | TextMessage:
    if not nearby:
        return text(_("There is no published service point near this place yet."))
    return FlexMessage(
        altText=_("The %(n)s nearest service points") % {"n": len(nearby)},
        contents=FlexCarousel(contents=[_point_bubble(item, english) for item in nearby[:10]]),
    )


# --- rating ----------------------------------------------------------------------------
def _score_question(name: str) -> str:
    return {
        "overall": _("Overall, how satisfied are you with the service?"),
        "process": _("Process and steps"),
        "staff": _("Staff"),
        "facilities": _("Facilities"),
        "outcome": _("Quality of the outcome"),
    }[name]


def ask_service(point_name: str, services: Iterable) -> TextMessage:
    quick = [postback(name, a="svc", s=pk) for pk, name in list(services)[:12]]
    quick.append(postback(_("Other"), a="svc", s="other"))
    return text(
        _("Rating “%(point)s”. Which service did you receive?") % {"point": point_name}, quick
    )


def ask_score(name: str, step: int) -> TextMessage:
    choices = [
        (5, _("5 Very satisfied")),
        (4, _("4 Satisfied")),
        (3, _("3 Neutral")),
        (2, _("2 Dissatisfied")),
        (1, _("1 Very dissatisfied")),
    ]
    question = _("(%(n)s/6) %(question)s") % {"n": step, "question": _score_question(name)}
    return text(question, [postback(shown, a="score", q=name, v=value) for value, shown in choices])


def ask_copy() -> TextMessage:
    return text(
        _("(6/6) Were you asked for a copy of your ID card or house registration?"),
        [postback(_("Yes"), a="copy", v="yes"), postback(_("No"), a="copy", v="no")],
    )


# --- reporting -------------------------------------------------------------------------
def ask_category(categories: Iterable, english: bool) -> TextMessage:
    quick = [
        postback((english and c.name_en) or c.name_th, a="cat", c=c.code)
        for c in list(categories)[:12]
    ]
    quick.append(postback(_("Cancel"), a="cancel"))
    return text(_("What is the problem about?"), quick)


def ask_description() -> TextMessage:
    return text(
        _(
            "Describe the problem in one message (what, where exactly, since when). "
            "Do not write your ID number or phone number."
        ),
        [postback(_("Cancel"), a="cancel")],
    )


def ask_photo() -> TextMessage:
    return text(
        _("Send a photo of the problem, or skip."),
        [postback(_("No photo"), a="nophoto"), postback(_("Cancel"), a="cancel")],
    )


def filed(complaint) -> TextMessage:
    follow = reverse("complaints:follow", args=[complaint.follow_token])
    return text(
        _(
            "Thank you. Your complaint is filed: %(ref)s. We will tell you here when its state "
            "changes. Follow it: %(link)s"
        )
        % {"ref": complaint.reference, "link": _absolute(follow)}
    )


def state_changes(lines: Sequence[str]) -> TextMessage:
    return text("\n\n".join(lines))


# --- the Citizen's Manual --------------------------------------------------------------
def _document_lines(record: dict) -> list[FlexText]:
    lines = []
    for document in record.get("documents", [])[:8]:
        copy = document.get("is_id_card_copy") or document.get("is_house_registration_copy")
        mark = _(" (copy)") if copy else ""
        lines.append(
            FlexText(text=f"• {document.get('name', '')[:120]}{mark}", wrap=True, size="sm")
        )
    return lines or [FlexText(text=_("No documents listed."), size="sm")]


def _copy_line(record: dict) -> str:
    id_card, house = needs_id_card_copy(record), needs_house_registration_copy(record)
    if not id_card and not house:
        return _("No copy of your ID card or house registration is asked for.")
    if id_card and house:
        return _("A copy of the ID card and of the house registration is still asked for.")
    if id_card:
        return _("A copy of the ID card is still asked for.")
    return _("A copy of the house registration is still asked for.")


def _service_bubble(service, english: bool) -> FlexBubble:
    record = service.current_version.snapshot
    name = (english and service.listed_name_en) or service.listed_name_th
    agency = (english and service.agency.name_en) or service.agency.name_th
    body = [
        FlexText(text=name[:200], weight="bold", wrap=True),
        FlexText(text=agency[:200], size="sm", color="#555555", wrap=True),
        FlexSeparator(),
        FlexText(text=_("Documents to bring"), size="sm", weight="bold"),
        *_document_lines(record),
        FlexText(text=_copy_line(record), size="sm", wrap=True, weight="bold"),
    ]
    link = URIAction(label=label(_("Full details")), uri=_absolute(service.get_absolute_url()))
    return FlexBubble(
        body=FlexBox(layout="vertical", spacing="sm", contents=body),
        footer=FlexBox(layout="vertical", contents=[FlexButton(action=link)]),
    )


def manual_results(services: Sequence, *, english: bool) -> FlexMessage | TextMessage:
    if not services:
        return text(
            _("No service of the Citizen's Manual matches. Try other words, e.g. “ID card”."),
            [MessageAction(label=label(_("ID card")), text=_("ID card"))],
        )
    return FlexMessage(
        altText=_("Services of the Citizen's Manual"),
        contents=FlexCarousel(contents=[_service_bubble(s, english) for s in services[:3]]),
    )
