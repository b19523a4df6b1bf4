"""The rich menu: four actions, drawn in Thai and in English (ADR 0120).

`manage.py line_rich_menu` makes both with the SDK, uploads their pictures (drawn here with
the project's Sarabun font, no asset to keep in step) and makes the Thai one the default;
English users are linked to the English one when they follow (notify.rich_menu_link).
"""

import io
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from linebot.v3.messaging import (
    PostbackAction,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
)
from PIL import Image, ImageDraw, ImageFont

from line_channel import client, services

WIDTH, HEIGHT = 2500, 843  # LINE's compact size
FONT = Path(__file__).resolve().parent.parent / "core" / "fonts" / "Sarabun_700Bold.ttf"
ACTIONS = ("near", "rate", "report", "manual")
COLOURS = ("#0b5cab", "#1a7f37", "#b42318", "#6941c6")


def _labels() -> list[str]:
    return [_("Near me"), _("Rate a service"), _("Report a problem"), _("Citizen's Manual")]


def _bounds(index: int) -> RichMenuBounds:
    width = WIDTH // len(ACTIONS)
    return RichMenuBounds(x=index * width, y=0, width=width, height=HEIGHT)


def request(language: str) -> RichMenuRequest:
    with translation.override(language):
        labels = _labels()
        return RichMenuRequest(
            size=RichMenuSize(width=WIDTH, height=HEIGHT),
            selected=True,
            name=f"CITIZENinfo {language}",
            chatBarText=_("Menu")[:14],
            areas=[
                RichMenuArea(
                    bounds=_bounds(i),
                    action=PostbackAction(label=labels[i][:20], data=f"a={action}"),
                )
                for i, action in enumerate(ACTIONS)
            ],
        )


def _font(draw: ImageDraw.ImageDraw, text: str, room: int) -> ImageFont.FreeTypeFont:
    """The largest size (110 px down to 48) at which the label fits on one line."""
    size = 110
    font = ImageFont.truetype(str(FONT), size)
    while size > 48 and draw.textlength(text, font=font) > room:
        size -= 6
        font = ImageFont.truetype(str(FONT), size)
    return font


def picture(language: str) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    with translation.override(language):
        labels = _labels()
    for i, text in enumerate(labels):
        box = _bounds(i)
        draw.rectangle(
            [box.x + 8, 8, box.x + box.width - 8, HEIGHT - 8], fill=COLOURS[i], outline="white"
        )
        font = _font(draw, text, box.width - 60)
        centre = (box.x + box.width / 2, HEIGHT / 2)
        draw.text(centre, text, font=font, fill="white", anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def create_all(languages: tuple[str, ...] = ("th", "en")) -> dict[str, str]:
    """Creates and uploads each language's menu; the Thai one becomes the default."""
    made: dict[str, str] = {}
    api_client, api = client.messaging()
    with api_client:
        for language in languages:
            made[language] = api.create_rich_menu(request(language)).rich_menu_id
    data_client, blob = client.blob()
    with data_client:
        for language, menu_id in made.items():
            blob.set_rich_menu_image(
                menu_id, picture(language), _headers={"Content-Type": "image/png"}
            )
    api_client, api = client.messaging()
    with api_client:
        api.set_default_rich_menu(made["th"])
    for language, menu_id in made.items():
        services.rich_menu_save(language=language, rich_menu_id=menu_id)
    return made
