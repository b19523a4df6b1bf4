import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pillow_heif import register_heif_opener

from agencies.tests.factories import DepartmentFactory
from service_points.models import ServicePoint

register_heif_opener()  # so the tests can write HEIC photos as iPhones do

# Real Bangkok address: Phra Borom Maha Ratchawang, Phra Nakhon, Bangkok 10200.
BANGKOK = {
    "province_code": "10",
    "district_code": "1001",
    "subdistrict_code": "100101",
    "postcode": "10200",
    "latitude": 13.7500,
    "longitude": 100.4913,
}


def point_fields(**overrides) -> dict:
    fields = {
        "name_th": "ศูนย์บริการทดสอบ",
        "name_en": "Test service centre",
        "government": "administrative",
        "house_number": "1",
        "road": "ถนนหน้าพระลาน",
        "phone": "021234567",
        "contact_name": "สมชาย ใจดี",
        "contact_phone": "0812345678",
        "opening_hours": "จันทร์–ศุกร์ 08:30–16:30",
        **BANGKOK,
    }
    fields.update(overrides)
    return fields


class ServicePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePoint

    agency = factory.SubFactory(DepartmentFactory)
    name_th = factory.Sequence(lambda n: f"จุดบริการทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Test point {n}")
    province_code = "10"
    district_code = "1001"
    subdistrict_code = "100101"
    postcode = "10200"
    latitude = factory.Sequence(lambda n: 13.75 + (n % 50) * 0.001)
    longitude = factory.Sequence(lambda n: 100.49 + (n % 50) * 0.001)
    phone = "021234567"
    contact_name = "สมชาย ใจดี"
    contact_phone = "0812345678"
    status = ServicePoint.Status.DRAFT


class PublishedPointFactory(ServicePointFactory):
    status = ServicePoint.Status.PUBLISHED


def image_upload(
    fmt: str = "JPEG", size=(64, 48), name: str = "photo.jpg", exif=None, mode: str = "RGB"
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, fmt, **kwargs)
    content_type = {
        "JPEG": "image/jpeg",
        "PNG": "image/png",
        "WEBP": "image/webp",
        "HEIF": "image/heic",
    }[fmt]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def gps_exif(lat: float, lon: float):
    exif = Image.Exif()
    gps = {1: "N", 2: (lat, 0.0, 0.0), 3: "E", 4: (lon, 0.0, 0.0)}
    exif[0x8825] = gps
    exif[0x010F] = "PhoneMaker"
    return exif


def with_photo(point):
    """A photo of the point's entrance: the seed publishes no point without one."""
    from service_points.services import service_point_photo_add

    service_point_photo_add(
        point=point, by=None, upload=image_upload(), kind="entrance", api_agency=point.agency
    )
    return point
