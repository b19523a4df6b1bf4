"""LINE's account link (ADR 0122), from signed webhook events through the worker to the
citizen's space: the link token asked of the stand-in, our page, the single-use nonce, and
the `accountLink` event that completes (or does not complete) the link."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from linebot.v3.messaging import PushMessageRequest, ReplyMessageRequest

from audit.models import AuditEvent
from citizens.tests.conftest import PID_1, PID_2, make_citizen, pseudonym_key, sign_in_as
from complaints.models import Complaint
from complaints.tests.factories import category, submit
from line_channel import identity, services
from line_channel.models import Chat, LinkNonce, WebhookEvent
from line_channel.tests.conftest import USER, event, post, postback, text

pytestmark = pytest.mark.django_db
__all__ = ["pseudonym_key"]  # the citizens' fixture, used here
OTHER_USER = "U00000000000000000000000000000bad"


def account_link(nonce: str, *, result: str = "ok", user: str = USER, **kwargs) -> dict:
    body = event("accountLink", user=user, link={"result": result, "nonce": nonce}, **kwargs)
    if result == "failed":
        del body["replyToken"]  # LINE sends none when the link failed
    return body


def last_reply(line) -> dict:
    request = line.sent("reply")[-1].json()
    ReplyMessageRequest.from_dict(request)  # LINE's schema, by the SDK's models
    return request


@pytest.fixture
def citizen(db, pseudonym_key):
    return make_citizen(PID_1)


@pytest.fixture
def citizen_b(db, pseudonym_key):
    return make_citizen(PID_2, "นางสาวบี ทดลอง")


def offered_page(line) -> str:
    bubble = last_reply(line)["messages"][0]["contents"]
    return bubble["footer"]["contents"][0]["action"]["uri"]


def agree(client, citizen, page: str) -> str:
    """The citizen opens our page from the chat, signed in, and agrees: LINE's URL."""
    sign_in_as(client, citizen)
    path = page.removeprefix("https://info.example.go.th")
    assert client.get(path).status_code == 200
    token = parse_qs(urlsplit(path).query)["linkToken"][0]
    response = client.post("/me/line/link/", {"linkToken": token})
    assert response.status_code == 302
    return response["Location"]


def nonce_of(location: str) -> str:
    return parse_qs(urlsplit(location).query)["nonce"][0]


@pytest.mark.parametrize("asked", ["เชื่อมบัญชี", "Link account", "postback"])
def test_asking_in_the_chat_gets_a_link_token_and_a_button_to_our_page(client, line, asked):
    post(client, postback("a=link") if asked == "postback" else text(asked))
    issued = [c for c in line.calls if c.path == f"/v2/bot/user/{USER}/linkToken"]
    assert len(issued) == 1 and issued[0].method == "POST"
    page = offered_page(line)
    assert page.startswith("https://info.example.go.th/me/line/link/?linkToken=linktoken")
    assert not Chat.objects.get().citizen


def test_the_welcome_offers_the_link(client, line):
    post(client, event("follow", follow={"isUnblocked": False}))
    items = last_reply(line)["messages"][0]["quickReply"]["items"]
    assert "a=link" in [item["action"].get("data") for item in items]


def test_link_token_refused_by_line_is_said_politely(client, line):
    line.fail[f"/v2/bot/user/{USER}/linkToken"] = 400
    post(client, text("เชื่อมบัญชี"))
    assert "LINE" in last_reply(line)["messages"][0]["text"]


def test_the_whole_link_then_the_space_shows_the_line_complaints(client, line, citizen):
    complaint = submit(category=category("road"), reporter_email="")
    Complaint.objects.filter(pk=complaint.pk).update(source=Complaint.Source.LINE)
    services.complaint_link(complaint=complaint, user_id=USER, language="th")
    post(client, text("เชื่อมบัญชี"))
    location = agree(client, citizen, offered_page(line))
    assert location.startswith("https://access.line.me/dialog/bot/accountLink?")
    query = parse_qs(urlsplit(location).query)
    assert query["linkToken"][0].startswith("linktoken") and len(query["nonce"][0]) >= 32
    assert LinkNonce.objects.get().nonce_hash != query["nonce"][0]  # only its hash is kept
    assert post(client, account_link(query["nonce"][0])).status_code == 200
    chat = Chat.objects.get()
    assert chat.citizen == citizen and chat.linked_at is not None
    assert "เชื่อม" in last_reply(line)["messages"][0]["text"]
    assert USER not in str(list(Chat.objects.values()))  # still only the keyed hash
    page = client.get("/me/").content.decode()
    assert complaint.reference in page and complaint.follow_token in page
    assert 'id="line-unlink"' in page
    assert AuditEvent.objects.filter(action="line_channel.link.completed").count() == 1


def test_a_nonce_links_once_only(client, line, citizen):
    post(client, text("เชื่อมบัญชี"))
    nonce = nonce_of(agree(client, citizen, offered_page(line)))
    post(client, account_link(nonce))
    assert not LinkNonce.objects.exists()  # spent
    post(client, account_link(nonce, user=OTHER_USER))  # a replay, from another LINE user
    other = Chat.objects.get(user_hash=identity.user_hash(OTHER_USER))
    assert other.citizen is None
    assert "ลองอีกครั้ง" in last_reply(line)["messages"][0]["text"]  # the chat is in Thai
    assert Chat.objects.filter(citizen=citizen).count() == 1


def test_an_expired_nonce_links_nothing(client, line, citizen):
    post(client, text("เชื่อมบัญชี"))
    nonce = nonce_of(agree(client, citizen, offered_page(line)))
    LinkNonce.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    post(client, account_link(nonce))
    assert not Chat.objects.filter(citizen__isnull=False).exists()
    assert AuditEvent.objects.filter(action="line_channel.link.refused").exists()


def test_an_unknown_nonce_links_nothing(client, line, citizen):
    post(client, account_link("made-up-nonce-0123456789"))
    assert not Chat.objects.filter(citizen__isnull=False).exists()
    assert line.sent("reply")  # answered, politely


def test_a_failed_result_links_nothing_and_is_answered_by_push(client, line, citizen):
    post(client, text("เชื่อมบัญชี"))
    nonce = nonce_of(agree(client, citizen, offered_page(line)))
    post(client, account_link(nonce, result="failed"))
    assert not Chat.objects.filter(citizen__isnull=False).exists()
    push = line.sent("push")[-1].json()
    PushMessageRequest.from_dict(push)
    assert push["to"] == USER
    # The nonce is spent: LINE's "ok" for it later links nothing either.
    post(client, account_link(nonce))
    assert not Chat.objects.filter(citizen__isnull=False).exists()


def test_a_forged_account_link_is_refused_before_anything(client, line, citizen):
    post(client, text("เชื่อมบัญชี"))
    nonce = nonce_of(agree(client, citizen, offered_page(line)))
    events = WebhookEvent.objects.count()
    assert post(client, account_link(nonce), secret="not-the-secret").status_code == 403
    assert post(client, account_link(nonce), signature="").status_code == 403
    assert WebhookEvent.objects.count() == events
    assert not Chat.objects.filter(citizen__isnull=False).exists()
    assert LinkNonce.objects.count() == 1  # still there for LINE's real event


def test_a_redelivered_account_link_is_handled_once(client, line, citizen):
    post(client, text("เชื่อมบัญชี"))
    nonce = nonce_of(agree(client, citizen, offered_page(line)))
    first = account_link(nonce)
    post(client, first)
    again = {**first, "deliveryContext": {"isRedelivery": True}}
    replies = len(line.sent("reply"))
    assert post(client, again).status_code == 200
    assert len(line.sent("reply")) == replies
    assert AuditEvent.objects.filter(action="line_channel.link.completed").count() == 1
    assert not AuditEvent.objects.filter(action="line_channel.link.refused").exists()


def test_the_nonce_links_the_citizen_who_agreed_never_another(client, line, citizen, citizen_b):
    """Citizen B signed in elsewhere sees nothing of the LINE account A linked."""
    complaint = submit(category=category("road"), reporter_email="")
    services.complaint_link(complaint=complaint, user_id=USER, language="th")
    post(client, text("เชื่อมบัญชี"))
    nonce = nonce_of(agree(client, citizen, offered_page(line)))
    sign_in_as(client, citizen_b)  # B's session when LINE's event comes
    post(client, account_link(nonce))
    assert Chat.objects.get().citizen == citizen
    assert complaint.reference not in client.get("/me/").content.decode()
    assert complaint.reference not in client.get("/me/records/").content.decode()
    sign_in_as(client, citizen)
    assert complaint.reference in client.get("/me/records/").content.decode()


def test_an_archived_citizens_nonce_links_nothing(client, line, citizen):
    post(client, text("เชื่อมบัญชี"))
    nonce = nonce_of(agree(client, citizen, offered_page(line)))
    type(citizen).objects.filter(pk=citizen.pk).update(status="archived")
    post(client, account_link(nonce))
    assert not Chat.objects.filter(citizen__isnull=False).exists()
