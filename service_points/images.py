"""Photo uploads: checked, re-encoded as JPEG without metadata, with a thumbnail.

Nothing from the uploaded file survives except its pixels: EXIF (with the phone's GPS,
serial numbers and the like) is dropped by re-encoding. The GPS position is read first so
the officer can be offered it as the pin's position.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

# iPhones save HEIC by default: pillow-heif (libheif in its wheel) lets Pillow read it.
register_heif_opener()

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 48-megapixel phone photo is ~8000x6000; this refuses bombs
MAX_SIDE = 2048
THUMB_SIDE = 480
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF"}


@dataclass
class ProcessedImage:
    content: bytes
    thumbnail: bytes
    width: int
    height: int
    gps: tuple[float, float] | None


def _refuse(message: str) -> ValidationError:
    return ValidationError({"image": [message]})


def _gps(image: Image.Image) -> tuple[float, float] | None:
    try:
        info = image.getexif().get_ifd(0x8825)
        if not info:
            return None

        def degrees(value) -> float:
            d, m, s = (float(x) for x in value)
            return d + m / 60 + s / 3600

        lat = degrees(info[2]) * (-1 if info.get(1) == "S" else 1)
        lon = degrees(info[4]) * (-1 if info.get(3) == "W" else 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError, AttributeError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return round(lat, 6), round(lon, 6)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def process_upload(upload) -> ProcessedImage:
    """Raises ValidationError (on "image") with a message a person can act on."""
    size = getattr(upload, "size", None)
    if size is None or size > MAX_BYTES:
        raise _refuse(
            _("The photo is larger than %(mb)s MB. Send a smaller photo.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if size == 0:
        raise _refuse(_("The file is empty."))
    data = upload.read()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise _refuse(_("Send a JPEG, PNG, WebP or HEIC photo."))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _refuse(
                    _("The photo has too many pixels (at most %(mp)s megapixels).")
                    % {"mp": MAX_PIXELS // 1_000_000}
                )
            gps = _gps(image)
            image.load()
            image = ImageOps.exif_transpose(image)
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse(
                _("The photo has too many pixels (at most %(mp)s megapixels).")
                % {"mp": MAX_PIXELS // 1_000_000}
            ) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            raise _refuse(
                _("This file is not a photo we can read. Send a JPEG, PNG, WebP or HEIC photo.")
            ) from None
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.split()[-1])
        image = background
    else:
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    content = _jpeg(image, 85)
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return ProcessedImage(
        content=content, thumbnail=_jpeg(thumb, 80), width=image.width, height=image.height, gps=gps
    )
