"""Draws the installable app's PNG icons (ADR 0090) into core/static/core/icons/.

Run with `.venv/bin/python script/make_app_icons.py` after changing the brand colour or font.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "core" / "static" / "core" / "icons"
FONT = ROOT / "core" / "fonts" / "Sarabun_700Bold.ttf"
BRAND = "#0b3d91"


def draw(size: int, *, safe: float, rounded: bool) -> Image.Image:
    """`safe` is the share of the icon the text may fill (maskable icons keep to 80 %)."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0) if rounded else BRAND)
    pen = ImageDraw.Draw(image)
    if rounded:
        pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=BRAND)
    font = ImageFont.truetype(str(FONT), int(size * safe * 0.62))
    pen.text((size / 2, size / 2), "Ci", font=font, fill="#ffffff", anchor="mm")
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    draw(192, safe=0.9, rounded=True).save(OUT / "icon-192.png", optimize=True)
    draw(512, safe=0.9, rounded=True).save(OUT / "icon-512.png", optimize=True)
    draw(512, safe=0.7, rounded=False).save(OUT / "maskable-512.png", optimize=True)
    draw(180, safe=0.8, rounded=False).convert("RGB").save(
        OUT / "apple-touch-icon.png", optimize=True
    )


if __name__ == "__main__":
    main()
