import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from audit.models import AuditEvent
from service_points import images, selectors, services
from service_points.models import ServicePoint, ServicePointChange, ServicePointPhoto
from service_points.tests.factories import (
    ServicePointFactory,
    gps_exif,
    image_upload,
    point_fields,
    with_photo,
)

pytestmark = pytest.mark.django_db


def test_create_stores_a_draft_with_history_and_audit(officer_a, agency_a):
    point = services.service_point_create(agency=agency_a, by=officer_a, fields=point_fields())
    assert point.status == ServicePoint.Status.DRAFT
    assert point.pinned_by == officer_a
    assert point.changes.get().kind == ServicePointChange.Kind.CREATED
    assert AuditEvent.objects.filter(action="service_point.created").exists()


def test_officer_cannot_create_for_another_agency(officer_a, agency_b):
    with pytest.raises(PermissionDenied):
        services.service_point_create(agency=agency_b, by=officer_a, fields=point_fields())
    assert not ServicePoint.objects.exists()


def test_invalid_create_writes_nothing(officer_a, agency_a):
    with pytest.raises(ValidationError):
        services.service_point_create(
            agency=agency_a, by=officer_a, fields=point_fields(latitude=21.03, longitude=105.85)
        )
    assert not ServicePoint.objects.exists()
    assert not ServicePointChange.objects.exists()


def test_move_and_edit_are_kept_in_history(officer_a, agency_a):
    point = services.service_point_create(agency=agency_a, by=officer_a, fields=point_fields())
    services.service_point_update(
        point=point, by=officer_a, fields={"latitude": 13.7510, "name_en": "Renamed"}
    )
    kinds = set(point.changes.values_list("kind", flat=True))
    assert {"created", "moved", "edited"} <= kinds
    moved = point.changes.get(kind="moved")
    assert moved.changes["latitude"] == [13.75, 13.751]


def test_officer_of_b_cannot_change_a_point_of_a(officer_b, agency_a):
    point = ServicePointFactory(agency=agency_a)
    with pytest.raises(PermissionDenied):
        services.service_point_update(point=point, by=officer_b, fields={"name_en": "x"})
    with pytest.raises(PermissionDenied):
        services.service_point_publish(point=point, by=officer_b)
    point.refresh_from_db()
    assert point.status == "draft" and point.name_en != "x"


def test_publish_archive_restore(officer_a, agency_a):
    point = ServicePointFactory(agency=agency_a)
    with pytest.raises(ValidationError):  # the seed: a photo first
        services.service_point_publish(point=point, by=officer_a)
    with_photo(point)
    point = services.service_point_publish(point=point, by=officer_a)
    assert point.status == "published"
    point = services.service_point_archive(point=point, by=officer_a)
    with pytest.raises(ValidationError):
        services.service_point_update(point=point, by=officer_a, fields={"name_en": "x"})
    point = services.service_point_restore(point=point, by=officer_a)
    assert point.status == "draft"


def test_warnings_for_duplicate_within_50_m_and_far_from_province(agency_a, agency_b):
    ServicePointFactory(agency=agency_a, latitude=13.7500, longitude=100.4913, name_th="เดิม")
    ServicePointFactory(agency=agency_b, latitude=13.7501, longitude=100.4913)
    warnings = selectors.service_point_warnings(
        agency=agency_a, latitude=13.7502, longitude=100.4914, province_code="10"
    )
    assert [w.code for w in warnings] == ["possible_duplicate"]
    assert "เดิม" in warnings[0].message
    far = selectors.service_point_warnings(
        agency=agency_a, latitude=18.79, longitude=98.98, province_code="10"
    )
    assert [w.code for w in far] == ["far_from_province"]
    assert (
        selectors.service_point_warnings(
            agency=agency_a, latitude=13.80, longitude=100.55, province_code="10"
        )
        == []
    )


# --- photos ---------------------------------------------------------------------------
def test_photo_is_reencoded_without_exif_and_offers_gps(officer_a, agency_a):
    point = ServicePointFactory(agency=agency_a)
    upload = image_upload(exif=gps_exif(13.75, 100.49), size=(3000, 1000))
    photo, gps = services.service_point_photo_add(
        point=point, by=officer_a, upload=upload, kind="counter"
    )
    assert gps == (13.75, 100.49)
    stored = Image.open(photo.image.open("rb"))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert max(stored.size) == images.MAX_SIDE
    assert max(Image.open(photo.thumbnail.open("rb")).size) == images.THUMB_SIDE
    assert point.changes.filter(kind="photo_added").exists()


def test_iphone_heic_photo_is_accepted_reencoded_and_offers_gps(officer_a, agency_a):
    point = ServicePointFactory(agency=agency_a)
    upload = image_upload(fmt="HEIF", name="IMG_0001.HEIC", exif=gps_exif(18.79, 98.98))
    photo, gps = services.service_point_photo_add(
        point=point, by=officer_a, upload=upload, kind="entrance"
    )
    assert gps == (18.79, 98.98)
    stored = Image.open(photo.image.open("rb"))
    assert stored.format == "JPEG"
    assert not stored.getexif()


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(officer_a, agency_a, fmt):
    point = ServicePointFactory(agency=agency_a)
    photo, _gps = services.service_point_photo_add(
        point=point, by=officer_a, upload=image_upload(fmt, name=f"x.{fmt.lower()}"), kind="sign"
    )
    assert photo.width == 64


def _bomb() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")  # 400 megapixels, a few kB
    return SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg"),
            "not a photo",
        ),
        (SimpleUploadedFile("empty.jpg", b"", content_type="image/jpeg"), "empty"),
        (None, "too many pixels"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_stored(officer_a, agency_a, upload, message, settings):
    from django.utils import translation

    point = ServicePointFactory(agency=agency_a)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.service_point_photo_add(
            point=point, by=officer_a, upload=upload or _bomb(), kind="counter"
        )
    assert message in str(error.value)
    assert not ServicePointPhoto.objects.exists()


def test_gif_and_oversized_files_are_refused(officer_a, agency_a, monkeypatch):
    from django.utils import translation

    point = ServicePointFactory(agency=agency_a)
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    gif = SimpleUploadedFile("x.jpg", buffer.getvalue(), content_type="image/jpeg")
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="JPEG, PNG, WebP or HEIC"),
    ):
        services.service_point_photo_add(point=point, by=officer_a, upload=gif, kind="counter")
    monkeypatch.setattr(images, "MAX_BYTES", 100)
    with translation.override("en"), pytest.raises(ValidationError, match="larger than"):
        services.service_point_photo_add(
            point=point, by=officer_a, upload=image_upload(), kind="counter"
        )
    assert not ServicePointPhoto.objects.exists()


def test_photo_archive_keeps_the_record(officer_a, agency_a):
    point = ServicePointFactory(agency=agency_a)
    photo, _ = services.service_point_photo_add(
        point=point, by=officer_a, upload=image_upload(), kind="entrance"
    )
    services.service_point_photo_archive(photo=photo, by=officer_a)
    photo.refresh_from_db()
    assert photo.status == "archived"
    assert not selectors.service_point_photos(point=point).exists()


def test_api_keys_are_hashed_and_only_for_agency_admins(admin_a, officer_a, agency_a):
    key, secret = services.api_key_create(agency=agency_a, by=admin_a, name="ERP")
    assert secret not in key.key_hash and key.key_hash == key.hash(secret)
    assert services.api_key_authenticate(secret=secret) == key
    assert services.api_key_authenticate(secret=secret + "x") is None
    with pytest.raises(PermissionDenied):
        services.api_key_create(agency=agency_a, by=officer_a, name="x")
    services.api_key_revoke(key=key, by=admin_a)
    assert services.api_key_authenticate(secret=secret) is None
