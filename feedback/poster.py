"""The A4 QR poster: segno draws the code, WeasyPrint (Pango + HarfBuzz) sets the Thai text
in the vendored Sarabun font (ADR 0043)."""

import logging

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.fonts import THAI_FONT_DIR

logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

FONT_DIR = THAI_FONT_DIR


def feedback_url(point) -> str:
    """What the QR code encodes: short and stable for the life of the point."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("feedback:give", args=[point.pk])


def qr_svg(url: str) -> str:
    qr = segno.make(url, error="m", micro=False)
    return qr.svg_inline(scale=10, border=2, dark="#000", light="#fff", omitsize=True)


def poster_pdf(*, point) -> bytes:
    from core.pdf import font_dir, render_pdf  # lazy: heavy

    url = feedback_url(point)
    with translation.override("th"):  # the poster hangs in a Thai office, whoever prints it
        html = render_to_string(
            "feedback/poster.html",
            {
                "point": point,
                "url": url,
                "qr": qr_svg(url),
                "font_dir": font_dir().as_uri(),
            },
        )
    return render_pdf(html)
