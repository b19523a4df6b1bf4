import pytest
from django.core.exceptions import ValidationError

from service_points import geo
from service_points.models import ApiKey, ServicePoint, ServicePointPhoto
from service_points.tests.factories import ServicePointFactory, point_fields, with_photo

pytestmark = pytest.mark.django_db


def test_publish_from_draft_only():
    point = ServicePointFactory()
    with pytest.raises(ValidationError):
        point.publish()  # no photo yet
    with_photo(point)
    point.publish()
    assert point.status == ServicePoint.Status.PUBLISHED and point.published_at
    with pytest.raises(ValidationError):
        point.publish()


def test_archive_from_draft_and_published_but_not_twice():
    draft = ServicePointFactory()
    draft.archive()
    assert draft.status == ServicePoint.Status.ARCHIVED
    with pytest.raises(ValidationError):
        draft.archive()
    published = ServicePointFactory(status=ServicePoint.Status.PUBLISHED)
    published.archive()
    assert published.archived_at is not None


def test_restore_only_from_archived():
    point = ServicePointFactory()
    with pytest.raises(ValidationError):
        point.restore()
    point.archive()
    point.restore()
    assert point.status == ServicePoint.Status.DRAFT and point.archived_at is None


def test_archived_cannot_be_published_directly():
    point = ServicePointFactory(status=ServicePoint.Status.ARCHIVED)
    with pytest.raises(ValidationError):
        point.publish()


def test_photo_and_key_transitions():
    photo = ServicePointPhoto(status=ServicePointPhoto.Status.ACTIVE)
    photo.archive()
    with pytest.raises(ValidationError):
        photo.archive()
    key = ApiKey()
    key.revoke()
    with pytest.raises(ValidationError):
        key.revoke()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("latitude", 21.03, "outside Thailand"),  # Hanoi
        ("latitude", 11.56, "outside Thailand"),  # Phnom Penh (lon 100.49 is sea there)
        ("district_code", "5001", "district of the chosen province"),
        ("subdistrict_code", "500101", "subdistrict of the chosen district"),
        ("postcode", "50000", "postcode is not used"),
        ("phone", "12345", "Thai phone number"),
        ("province_code", "99", "province from the list"),
    ],
)
def test_clean_refuses_bad_fields(agency_a, settings, field, value, message):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        point = ServicePoint(agency=agency_a, **{**point_fields(), field: value})
        with pytest.raises(ValidationError) as error:
            point.full_clean()
    assert message in str(error.value)


def test_boundary_is_a_real_polygon_not_a_rectangle():
    assert geo.in_thailand(13.7563, 100.5018)  # Bangkok
    assert geo.in_thailand(18.7883, 98.9853)  # Chiang Mai
    assert geo.in_thailand(10.0956, 99.8404)  # Ko Tao, missing at 1:10m: sea tolerance
    assert not geo.in_thailand(17.9757, 102.6331)  # Vientiane, inside Thailand's bounding box
    assert not geo.in_thailand(11.5564, 104.9282)  # Phnom Penh, inside the bounding box
    assert not geo.in_thailand(16.8409, 96.1735)  # Yangon
    assert not geo.in_thailand(9.0, 101.5)  # open sea in the Gulf
    assert geo.in_thailand(17.88, 102.73)  # Nong Khai bank of the Mekong


def test_search_text_includes_province_names():
    point = ServicePointFactory(name_th="สำนักงานเขตพระนคร")
    assert "กรุงเทพมหานคร" in point.search_text and "bangkok" in point.search_text
