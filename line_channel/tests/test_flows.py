"""Each flow from a signed webhook to what the citizen reads, through the stand-in."""

import pytest
from linebot.v3.messaging import ReplyMessageRequest

from complaints.models import Complaint
from complaints.tests.factories import category
from feedback.models import Response
from line_channel import identity
from line_channel.models import Chat, ComplaintLink
from line_channel.tests.conftest import USER, image, location, post, postback, text
from manual.tests.factories import ID_ORIGINAL, make_published
from service_points.tests.factories import PublishedPointFactory, image_upload

pytestmark = pytest.mark.django_db


def last_reply(line) -> ReplyMessageRequest:
    """The last reply, read back through the SDK's own models (LINE's schema)."""
    return ReplyMessageRequest.from_dict(line.sent("reply")[-1].json())


def reply_json(line) -> dict:
    return line.sent("reply")[-1].json()


def quick_labels(message: dict) -> list[str]:
    return [item["action"]["label"] for item in message["quickReply"]["items"]]


def quick_data(message: dict) -> list[str]:
    return [item["action"].get("data", "") for item in message["quickReply"]["items"]]


@pytest.fixture
def points(db):
    near = PublishedPointFactory(
        name_th="ที่ว่าการเขตพระนคร",
        latitude=13.7500,
        longitude=100.4913,
        opening_hours="จันทร์–ศุกร์ 08:30–16:30",
    )
    others = [
        PublishedPointFactory(latitude=13.75 + i * 0.01, longitude=100.50 + i * 0.01)
        for i in range(1, 7)
    ]
    return near, others


# --- near me -------------------------------------------------------------------------
def test_a_location_gets_the_five_nearest_points_as_a_carousel(client, line, points):
    near, _others = points
    assert post(client, location(13.7501, 100.4914)).status_code == 200
    request = last_reply(line)
    message = reply_json(line)["messages"][0]
    assert message["type"] == "flex" and message["contents"]["type"] == "carousel"
    bubbles = message["contents"]["contents"]
    assert len(bubbles) == 5
    first = bubbles[0]
    texts = [c["text"] for c in first["body"]["contents"]]
    assert texts[0] == "ที่ว่าการเขตพระนคร"
    assert any("ม." in t or "m" in t for t in texts[2:3])  # the distance
    assert "จันทร์–ศุกร์ 08:30–16:30" in texts
    actions = [b["action"] for b in first["footer"]["contents"]]
    assert actions[0]["uri"].startswith(
        "https://www.google.com/maps/dir/?api=1&destination=13.750000"
    )
    assert actions[1]["data"] == f"a=rate&p={near.pk}"
    assert actions[2]["data"] == f"a=report&p={near.pk}"
    assert actions[3]["uri"].startswith("https://info.example.go.th/")
    assert request.reply_token.startswith("reply-token-")


def test_an_english_user_is_answered_in_english(client, line, points):
    line.language = "en"
    post(client, location(13.7501, 100.4914))
    assert Chat.objects.get().language == "en"
    message = reply_json(line)["messages"][0]
    assert message["altText"] == "The 5 nearest service points"


def test_no_point_near_says_so(client, line):
    post(client, location(13.75, 100.49))
    assert reply_json(line)["messages"][0]["type"] == "text"


# --- rating ----------------------------------------------------------------------------
def test_rating_runs_the_qr_questionnaire_and_stores_through_feedback(client, line, points):
    near, _ = points
    service = make_published(agency=near.agency)
    post(client, postback(f"a=rate&p={near.pk}"))
    ask = reply_json(line)["messages"][0]
    assert f"a=svc&s={service.pk}" in quick_data(ask)
    post(client, postback(f"a=svc&s={service.pk}"))
    for name in ("overall", "process", "staff", "facilities", "outcome"):
        question = reply_json(line)["messages"][0]
        assert f"a=score&q={name}&v=5" in quick_data(question)
        post(client, postback(f"a=score&q={name}&v=4"))
    last_question = reply_json(line)["messages"][0]
    assert quick_data(last_question) == ["a=copy&v=yes", "a=copy&v=no"]
    post(client, postback("a=copy&v=yes"))
    answer = Response.objects.get()
    assert (answer.point, answer.service, answer.overall, answer.asked_for_copy) == (
        near,
        service,
        4,
        True,
    )
    assert answer.device_hash and answer.device_hash != identity.user_hash(USER)
    assert answer.status == Response.Status.ACCEPTED
    ReplyMessageRequest.from_dict(line.sent("reply")[-1].json())


def _rate(client, point, n):
    post(client, postback(f"a=rate&p={point.pk}"))
    post(client, postback("a=svc&s=other"))
    for name in ("overall", "process", "staff", "facilities", "outcome"):
        post(client, postback(f"a=score&q={name}&v=5"))
    post(client, postback("a=copy&v=no"))


def test_rating_has_the_same_abuse_limits_keyed_by_the_line_user(client, line, points, settings):
    settings.FEEDBACK_DEVICE_LIMIT_PER_HOUR = 2
    settings.FEEDBACK_DUPLICATE_WINDOW_MINUTES = 0
    near, others = points
    for n, point in enumerate([near, *others[:2]]):
        _rate(client, point, n)
    statuses = list(Response.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["accepted", "accepted", "flagged"]


def test_an_expired_rating_does_not_store(client, line, points):
    post(client, postback("a=copy&v=yes"))
    assert not Response.objects.exists()


def test_a_forged_score_is_ignored(client, line, points):
    near, _ = points
    post(client, postback(f"a=rate&p={near.pk}"))
    post(client, postback("a=score&q=overall&v=99"))
    post(client, postback("a=score&q=__class__&v=1"))
    assert Chat.objects.get().data == {"point": near.pk}


# --- the Citizen's Manual --------------------------------------------------------------
def test_typing_searches_the_manual_with_documents_and_copy_flags(client, line, agency_a):
    make_published(agency=agency_a)
    make_published(
        agency=agency_a,
        code="id-card-renew",
        name_th="การทำบัตรประจำตัวประชาชนใหม่ กรณีบัตรหมดอายุ",
        name_en="Renewing an ID card",
        documents=[ID_ORIGINAL],
    )
    post(client, text("ทำบัตรประชาชน ใช้อะไรบ้าง"))
    message = reply_json(line)["messages"][0]
    assert message["type"] == "flex"
    bubbles = message["contents"]["contents"]
    assert 1 <= len(bubbles) <= 3
    body = [[c.get("text", "") for c in b["body"]["contents"]] for b in bubbles]
    first = body[0]
    assert first[0] == "การทำบัตรประจำตัวประชาชน"
    assert any("สำเนาบัตรประจำตัวประชาชน" in line_ for line_ in first)
    flat = " ".join(" ".join(b) for b in body)
    assert "บัตรประจำตัวประชาชน (ฉบับจริง)" in flat
    ReplyMessageRequest.from_dict(line.sent("reply")[-1].json())


def test_a_search_with_no_match_says_so(client, line):
    post(client, text("zzzz-nothing"))
    assert reply_json(line)["messages"][0]["type"] == "text"


# --- reporting -------------------------------------------------------------------------
def _jpeg() -> bytes:
    return image_upload(size=(80, 60)).read()


def test_report_from_the_rich_menu_with_location_photo_and_text(client, line):
    road = category("road")
    line.contents["7001"] = _jpeg()
    post(client, postback("a=report"))
    assert "a=cat&c=road" in quick_data(reply_json(line)["messages"][0])
    post(client, postback("a=cat&c=road"))
    post(client, text("ป้ายจราจรล้ม ขวางถนน"))
    assert "a=nophoto" in quick_data(reply_json(line)["messages"][0])
    post(client, image("7001"))
    ask = reply_json(line)["messages"][0]
    assert ask["quickReply"]["items"][0]["action"]["type"] == "location"
    post(client, location(13.7563, 100.5018))
    complaint = Complaint.objects.get()
    assert complaint.category == road and complaint.source == Complaint.Source.LINE
    assert complaint.description == "ป้ายจราจรล้ม ขวางถนน"
    assert (complaint.latitude, complaint.longitude) == (13.7563, 100.5018)
    photo = complaint.photos.get()
    assert photo.image.read()[:2] == b"\xff\xd8"  # re-encoded as JPEG
    said = reply_json(line)["messages"][0]["text"]
    assert complaint.reference in said
    link = ComplaintLink.objects.get()
    assert link.complaint == complaint and link.user_hash == identity.user_hash(USER)
    assert USER not in link.user_id_sealed
    assert Chat.objects.get().step == Chat.Step.IDLE


def test_report_from_a_point_needs_no_location(client, line, points):
    near, _ = points
    category("road")
    post(client, postback(f"a=report&p={near.pk}"))
    post(client, postback("a=cat&c=road"))
    post(client, text("ห้องน้ำปิด"))
    post(client, postback("a=nophoto"))
    complaint = Complaint.objects.get()
    assert complaint.point == near and complaint.agency == near.agency


def test_a_photo_that_is_not_a_photo_is_refused_and_asked_again(client, line):
    category("road")
    line.contents["7002"] = b"this is not an image"
    post(client, postback("a=report"))
    post(client, postback("a=cat&c=road"))
    post(client, text("ไฟถนนดับ"))
    post(client, image("7002"))
    post(client, location(13.7563, 100.5018))
    assert not Complaint.objects.exists()
    messages = reply_json(line)["messages"]
    assert "a=nophoto" in quick_data(messages[-1])
    assert Chat.objects.get().step == Chat.Step.REPORT_PHOTO


def test_a_place_outside_thailand_is_refused(client, line):
    category("road")
    post(client, postback("a=report"))
    post(client, postback("a=cat&c=road"))
    post(client, text("ไฟถนนดับ"))
    post(client, postback("a=nophoto"))
    post(client, location(35.68, 139.76))
    assert not Complaint.objects.exists()
    assert reply_json(line)["messages"][0]["quickReply"]["items"][0]["action"]["type"] == "location"


def test_report_has_the_complaint_limits_keyed_by_the_line_user(client, line, settings):
    category("road")
    settings.COMPLAINTS_DEVICE_LIMIT_PER_HOUR = 1
    for _n in range(2):
        post(client, postback("a=report"))
        post(client, postback("a=cat&c=road"))
        post(client, text("ไฟถนนดับ"))
        post(client, postback("a=nophoto"))
        post(client, location(13.7563, 100.5018))
    held = list(Complaint.objects.order_by("pk").values_list("held", flat=True))
    assert held == [False, True]


def test_cancel_forgets_the_report(client, line):
    category("road")
    post(client, postback("a=report"))
    post(client, postback("a=cancel"))
    assert Chat.objects.get().step == Chat.Step.IDLE


def test_follow_gets_a_welcome_and_english_users_the_english_menu(client, line):
    from line_channel.services import rich_menu_save

    rich_menu_save(language="en", rich_menu_id="richmenu-en")
    line.language = "en"
    from line_channel.tests.conftest import event

    post(client, event("follow", follow={"isUnblocked": False}))
    assert any(c.path == f"/v2/bot/user/{USER}/richmenu/richmenu-en" for c in line.calls)
    assert "Welcome" in reply_json(line)["messages"][0]["text"]


def test_line_users_are_not_one_network(client, line, points, settings):
    """Every event comes from LINE's servers: by address all LINE users would be one network
    and be held after FEEDBACK_NETWORK_LIMIT_PER_HOUR; each LINE user is their own."""
    settings.FEEDBACK_NETWORK_LIMIT_PER_HOUR = 1
    near, _ = points
    for user in (USER, "U0000000000000000000000000000beef"):
        post(client, postback(f"a=rate&p={near.pk}", user=user))
        post(client, postback("a=svc&s=other", user=user))
        for name in ("overall", "process", "staff", "facilities", "outcome"):
            post(client, postback(f"a=score&q={name}&v=5", user=user))
        post(client, postback("a=copy&v=no", user=user))
    assert list(Response.objects.values_list("status", flat=True)) == ["accepted"] * 2
    assert Response.objects.values("network_hash").distinct().count() == 2


def test_a_photo_line_no_longer_keeps_is_asked_for_again(client, line):
    category("road")
    post(client, postback("a=report"))
    post(client, postback("a=cat&c=road"))
    post(client, text("ไฟถนนดับ"))
    post(client, image("gone"))  # the stand-in has no such content: 404
    post(client, location(13.7563, 100.5018))
    assert not Complaint.objects.exists()
    messages = reply_json(line)["messages"]
    assert "LINE" in messages[0]["text"] and "a=nophoto" in quick_data(messages[-1])


def test_an_unfollow_is_handled_without_a_reply(client, line):
    from line_channel.models import WebhookEvent
    from line_channel.tests.conftest import event

    post(client, text("บัตรประชาชน"))
    calls = len(line.sent("reply"))
    unfollow = event("unfollow")
    del unfollow["replyToken"]
    post(client, unfollow)
    assert len(line.sent("reply")) == calls
    assert WebhookEvent.objects.get(event_id=unfollow["webhookEventId"]).status == "done"
