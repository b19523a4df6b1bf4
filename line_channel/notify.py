"""Sending: the reply to each turn, and the pushes of complaints' state changes.

Quota (ADR 0121): replies are free and pushes are counted by LINE per request and recipient,
so every state change waiting for one person goes in one push (up to five bubbles, one per
complaint), within LINE_PUSH_MONTHLY_QUOTA pushes a month. Past the quota, or when the push
fails, the change goes by email to the citizen's own account if LINE is linked to one, and
in any case rides along with the next reply the citizen gets (free).
"""

import logging
from collections.abc import Sequence

from django.utils import translation
from django.utils.translation import gettext as _

from complaints.models import Complaint
from complaints.services import follow_url
from core.mail import email_enqueue
from line_channel import client, identity, replies, selectors, services
from line_channel.models import Notice

logger = logging.getLogger(__name__)


def rich_menu_link(*, user_id: str, language: str) -> None:
    """English users get the English menu (the Thai one is the default for everyone)."""
    menu = selectors.rich_menu_for(language=language)
    if language == "en" and menu is not None:
        try:
            client.link_rich_menu(user_id, menu.rich_menu_id)
        except client.ApiError:
            logger.warning("LINE: could not link the English rich menu")


def answer(turn) -> None:
    """The reply; a redelivered event's reply token may have expired, and a failed account
    link comes without one (LINE's docs): then a push, within the quota."""
    if not turn.messages:
        return
    if turn.reply_token:
        try:
            client.reply(turn.reply_token, turn.messages)
        except client.ApiError:
            if not turn.redelivery:
                raise
        else:
            return
    push = services.push_reserve(user_hash=turn.chat.user_hash)
    if push is not None:
        client.push(turn.user_id, turn.messages, retry_key=str(push.retry_key))
        services.push_sent(push=push)


def _line(notice: Notice) -> str:
    complaint = notice.link.complaint
    said = _("Complaint %(ref)s is now: %(state)s") % {
        "ref": complaint.reference,
        "state": Complaint.State(notice.state).label,
    }
    return f"{said}\n{notice.note}" if notice.note else said


def _texts(notices: Sequence[Notice]) -> list[str]:
    return [_line(notice) for notice in notices]


def catch_up(turn) -> None:
    """State changes no push carried are added to this (free) reply."""
    if not turn.reply_token or not turn.messages or len(turn.messages) >= 5:
        return  # nothing is being said (an unfollow), or no room
    waiting = selectors.notices_waiting(user_hash=turn.chat.user_hash, unsent_only=False)
    if waiting:
        turn.say(replies.state_changes(_texts(waiting)))
        services.notices_mark(notices=waiting, channel=Notice.Channel.LINE)


def notices_push(*, user_hash: str) -> int:
    """Sends every waiting state change of this person in one push. Returns how many."""
    waiting = selectors.notices_waiting(user_hash=user_hash, unsent_only=True)
    if not waiting:
        return 0
    link = waiting[-1].link
    with translation.override(link.language):
        messages = [replies.state_changes(_texts(waiting))]
    push = services.push_reserve(user_hash=user_hash) if link.user_id_sealed else None
    if push is not None:
        try:
            client.push(
                identity.unseal(link.user_id_sealed), messages, retry_key=str(push.retry_key)
            )
        except client.ApiError:
            logger.warning("LINE push failed; falling back to email")
        else:
            services.notices_mark(notices=waiting, channel=Notice.Channel.LINE, push=push)
            return len(waiting)
    _email_fallback(waiting, user_hash=user_hash)
    return len(waiting)


def _email_fallback(notices: Sequence[Notice], *, user_hash: str) -> None:
    """To the citizen's own account when LINE is linked to one; else the changes wait for
    the next reply (`catch_up`), and the private follow link always shows them."""
    email = selectors.linked_email(user_hash=user_hash)
    if not email:
        Notice.objects.filter(pk__in=[n.pk for n in notices]).update(channel=Notice.Channel.NONE)
        return
    for notice in notices:
        complaint = notice.link.complaint
        with translation.override("th"):
            email_enqueue(
                to=email,
                template="complaints/email/state_changed",
                context={
                    "complaint": complaint,
                    "state": Complaint.State(notice.state).label,
                    "note": notice.note,
                    "link": follow_url(complaint, ""),
                },
            )
    services.notices_mark(notices=notices, channel=Notice.Channel.EMAIL)
