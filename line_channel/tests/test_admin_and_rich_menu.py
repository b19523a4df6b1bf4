import io

import pytest
from django.core.management import CommandError, call_command
from linebot.v3.messaging import RichMenuRequest
from PIL import Image

from line_channel.models import RichMenu, WebhookEvent
from line_channel.rich_menu import picture

pytestmark = pytest.mark.django_db


def test_the_admin_says_when_the_channel_is_off(client, ega_admin, settings):
    ega_admin.is_staff = ega_admin.is_superuser = True
    ega_admin.save()
    client.force_login(ega_admin)
    settings.LINE_CHANNEL_SECRET = ""
    page = client.get("/admin/line_channel/webhookevent/", follow=True).content.decode()
    assert "LINE_CHANNEL_SECRET" in page


def test_the_admin_says_when_the_channel_is_on(client, ega_admin, line):
    ega_admin.is_staff = ega_admin.is_superuser = True
    ega_admin.save()
    client.force_login(ega_admin)
    page = client.get("/admin/line_channel/webhookevent/", follow=True).content.decode()
    assert "/line/webhook" in page


def test_rich_menu_command_refuses_when_the_channel_is_off(settings):
    settings.LINE_CHANNEL_SECRET = ""
    with pytest.raises(CommandError):
        call_command("line_rich_menu")


def test_rich_menu_command_makes_thai_default_and_english(line):
    call_command("line_rich_menu")
    created = [c for c in line.calls if c.path == "/v2/bot/richmenu"]
    assert len(created) == 2
    menus = [RichMenuRequest.from_dict(c.json()) for c in created]  # LINE's schema
    labels = [[a.action.label for a in m.areas] for m in menus]
    assert labels[0][:2] == ["ใกล้ฉัน", "ให้คะแนนบริการ"]
    assert all(not label.isascii() and len(label) <= 20 for label in labels[0])
    assert labels[1] == ["Near me", "Rate a service", "Report a problem", "Citizen's Manual"]
    th, en = (RichMenu.objects.get(language=lang).rich_menu_id for lang in ("th", "en"))
    uploads = [c for c in line.calls if c.path.endswith("/content")]
    assert {c.path for c in uploads} == {
        f"/v2/bot/richmenu/{th}/content",
        f"/v2/bot/richmenu/{en}/content",
    }
    assert all(c.headers["Content-Type"] == "image/png" for c in uploads)
    assert any(c.path == f"/v2/bot/user/all/richmenu/{th}" for c in line.calls)


def test_the_menu_picture_has_lines_size():
    image = Image.open(io.BytesIO(picture("th")))
    assert image.size == (2500, 843) and image.format == "PNG"


def test_webhook_events_are_read_only_in_the_admin(client, ega_admin, line):
    ega_admin.is_staff = ega_admin.is_superuser = True
    ega_admin.save()
    client.force_login(ega_admin)
    assert client.get("/admin/line_channel/webhookevent/add/").status_code == 403
    assert not WebhookEvent.objects.exists()


def test_the_privacy_snippet_renders_in_thai_with_one_heading():
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("th"):
        html = render_to_string("line_channel/privacy_notice.html")
    assert "ช่องทาง LINE" in html and "LY Corporation" in html
    assert html.count("<h2") == 1 and "<h1" not in html
