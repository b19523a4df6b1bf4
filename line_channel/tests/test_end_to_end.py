"""The issue's end-to-end: location + photo + text → complaint → the agency marks it fixed →
the citizen's chat gets the push."""

import pytest
from linebot.v3.messaging import PushMessageRequest

from complaints.models import Complaint, Route
from complaints.services import complaint_transition
from complaints.tests.factories import category
from line_channel.models import Notice, Push
from line_channel.tests.conftest import USER, image, location, post, postback, text
from service_points.tests.factories import image_upload

pytestmark = pytest.mark.django_db


def test_file_on_line_then_the_fix_is_pushed_to_the_chat(client, line, agency_a, officer_a):
    Route.objects.create(category=category("road"), province_code="10", agency=agency_a)
    line.contents["9001"] = image_upload(size=(120, 90)).read()

    post(client, postback("a=report"))
    post(client, postback("a=cat&c=road"))
    post(client, text("ฝาท่อระบายน้ำหาย อันตรายมาก"))
    post(client, image("9001"))
    post(client, location(13.7563, 100.5018))

    complaint = Complaint.objects.get()
    assert complaint.agency == agency_a
    assert complaint.photos.count() == 1
    assert complaint.reference in line.sent("reply")[-1].json()["messages"][0]["text"]
    assert not line.sent("push")

    complaint_transition(complaint=complaint, state="fixed", by=officer_a, note="ปิดฝาท่อแล้ว")

    pushes = line.sent("push")
    assert len(pushes) == 1
    request = PushMessageRequest.from_dict(pushes[0].json())  # LINE's schema, through the SDK
    assert request.to == USER
    said = pushes[0].json()["messages"][0]["text"]
    assert complaint.reference in said
    assert "แก้ไขแล้ว" in said  # Complaint.State.FIXED in Thai
    assert "ปิดฝาท่อแล้ว" in said
    assert pushes[0].headers["X-Line-Retry-Key"] == str(Push.objects.get().retry_key)
    assert Notice.objects.get().channel == Notice.Channel.LINE
