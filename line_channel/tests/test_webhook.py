"""The webhook: signature first, one insert, each event handled once."""

import json

import pytest
from linebot.v3.messaging import ReplyMessageRequest

from line_channel.models import Chat, WebhookEvent
from line_channel.tests.conftest import USER, location, post, sign, text
from service_points.tests.factories import PublishedPointFactory

pytestmark = pytest.mark.django_db


def test_a_forged_signature_is_refused_and_nothing_is_stored(client, line):
    response = post(client, text("บัตรประชาชน"), secret="not-the-channel-secret")
    assert response.status_code == 403
    assert not WebhookEvent.objects.exists()
    assert not line.calls


def test_a_missing_signature_is_refused(client, line):
    response = post(client, text("บัตรประชาชน"), signature="")
    assert response.status_code == 403
    assert not WebhookEvent.objects.exists()


def test_a_signature_of_another_body_is_refused(client, line):
    other = json.dumps({"events": []}).encode()
    response = post(client, text("บัตรประชาชน"), signature=sign(other))
    assert response.status_code == 403
    assert not WebhookEvent.objects.exists()


def test_without_credentials_the_channel_is_off(client, settings, line):
    settings.LINE_CHANNEL_ACCESS_TOKEN = ""
    response = post(client, text("บัตรประชาชน"))
    assert response.status_code == 404
    assert b"off" in response.content
    assert not WebhookEvent.objects.exists()


def test_line_verify_button_sends_no_events_and_gets_200(client, line):
    assert post(client).status_code == 200
    assert not line.calls


def test_a_signed_body_that_is_not_events_is_refused(client, line):
    body = b'{"events": "nope"}'
    response = client.post(
        "/line/webhook",
        data=body,
        content_type="application/json",
        headers={"X-Line-Signature": sign(body)},
    )
    assert response.status_code == 400
    body = b"\xff\xfe"
    response = client.post(
        "/line/webhook",
        data=body,
        content_type="application/json",
        headers={"X-Line-Signature": sign(body)},
    )
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_get_is_not_allowed(client, line):
    assert client.get("/line/webhook").status_code == 405


def test_the_user_id_is_never_stored_in_clear(client, line):
    PublishedPointFactory()
    post(client, location(13.75, 100.49))
    stored = WebhookEvent.objects.get()
    assert stored.status == WebhookEvent.Status.DONE
    assert stored.payload == {}  # emptied once handled
    assert USER not in json.dumps(list(Chat.objects.values()), default=str)
    assert Chat.objects.get().user_hash != USER


def test_an_event_is_sealed_while_it_waits(client, line, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    post(client, text("บัตรประชาชน"))
    stored = WebhookEvent.objects.get()
    assert stored.status == WebhookEvent.Status.RECEIVED
    assert USER not in json.dumps(stored.payload)
    assert stored.payload["message"]["text"] == "บัตรประชาชน"


def test_a_redelivered_event_is_handled_once(client, line):
    PublishedPointFactory()
    first = location(13.75, 100.49)
    assert post(client, first).status_code == 200
    again = {**first, "deliveryContext": {"isRedelivery": True}}
    assert post(client, again).status_code == 200
    assert post(client, again).status_code == 200
    assert WebhookEvent.objects.count() == 1
    assert len(line.sent("reply")) == 1


def test_a_redelivery_of_an_event_never_received_is_handled(client, line):
    PublishedPointFactory()
    assert post(client, location(13.75, 100.49, redelivery=True)).status_code == 200
    event = WebhookEvent.objects.get()
    assert event.redelivery and event.status == WebhookEvent.Status.DONE
    assert len(line.sent("reply")) == 1


def test_a_redelivered_event_whose_reply_token_expired_is_pushed(client, line):
    PublishedPointFactory()
    line.fail["/v2/bot/message/reply"] = 400
    assert post(client, location(13.75, 100.49, redelivery=True)).status_code == 200
    assert len(line.sent("push")) == 1
    assert line.sent("push")[0].json()["to"] == USER


def test_several_events_in_one_request_each_get_their_answer(client, line):
    PublishedPointFactory()
    post(client, location(13.75, 100.49), text("บัตรประชาชน"))
    assert WebhookEvent.objects.filter(status=WebhookEvent.Status.DONE).count() == 2
    replies = line.sent("reply")
    assert len(replies) == 2
    for call in replies:
        ReplyMessageRequest.from_dict(call.json())  # LINE's own schema, through the SDK
        assert call.headers["Authorization"] == "Bearer test-access-token"


def test_a_failing_event_is_recorded_and_the_others_still_run(client, line):
    PublishedPointFactory()
    line.fail["/v2/bot/message/reply"] = 500
    post(client, location(13.75, 100.49))
    event = WebhookEvent.objects.get()
    assert event.status == WebhookEvent.Status.FAILED
    assert event.error == "ServiceException"


def _each_flow():
    from line_channel.tests.conftest import event, image, postback

    return {
        "near me": location(13.75, 100.49),
        "rate": postback("a=rate&p=1"),
        "score": postback("a=score&q=overall&v=5"),
        "report": postback("a=report"),
        "report photo": image("7001"),
        "manual": text("ทำบัตรประชาชน ใช้อะไรบ้าง"),
        "follow": event("follow", follow={"isUnblocked": False}),
    }


@pytest.mark.parametrize("flow", list(_each_flow()))
def test_each_flow_forged_is_refused_and_signed_is_acknowledged(client, line, flow):
    body = _each_flow()[flow]
    assert post(client, body, secret="forged-secret").status_code == 403
    assert not WebhookEvent.objects.exists() and not line.calls
    assert post(client, body).status_code == 200
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.DONE


def test_group_events_are_stored_but_not_answered(client, line):
    group = text("บัตรประชาชน")
    group["source"] = {"type": "group", "groupId": "Cgroup", "userId": USER}
    assert post(client, group).status_code == 200
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.DONE
    assert not line.sent("reply")
