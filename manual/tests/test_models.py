import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from manual.models import (
    RequiredDocument,
    Service,
    ServiceChannel,
    validate_sample_form_file,
)

pytestmark = pytest.mark.usefixtures("english")


def test_publish_from_draft():
    service = Service(status=Service.Status.DRAFT)
    service.publish()
    assert service.status == Service.Status.PUBLISHED
    assert service.published_at is not None
    assert service.has_unpublished_changes is False


def test_publish_again_needs_changes():
    service = Service(status=Service.Status.PUBLISHED, has_unpublished_changes=False)
    with pytest.raises(ValidationError, match="Nothing has changed"):
        service.publish()
    service.has_unpublished_changes = True
    service.publish()
    assert service.status == Service.Status.PUBLISHED


def test_archived_cannot_be_published():
    service = Service(status=Service.Status.ARCHIVED)
    with pytest.raises(ValidationError):
        service.publish()
    assert service.status == Service.Status.ARCHIVED


@pytest.mark.parametrize("status", [Service.Status.DRAFT, Service.Status.PUBLISHED])
def test_archive(status):
    service = Service(status=status)
    service.archive()
    assert service.status == Service.Status.ARCHIVED


def test_archive_twice_is_refused():
    with pytest.raises(ValidationError):
        Service(status=Service.Status.ARCHIVED).archive()


def test_reopen_only_from_archived():
    service = Service(status=Service.Status.ARCHIVED)
    service.reopen()
    assert service.status == Service.Status.DRAFT
    for status in (Service.Status.DRAFT, Service.Status.PUBLISHED):
        with pytest.raises(ValidationError):
            Service(status=status).reopen()


def test_id_card_copy_must_be_a_copy():
    document = RequiredDocument(name="บัตร", form="original", count=1, is_id_card_copy=True)
    with pytest.raises(ValidationError) as error:
        document.clean()
    assert "form" in error.value.message_dict


def test_e_service_needs_a_link_and_office_a_place():
    with pytest.raises(ValidationError) as error:
        ServiceChannel(kind="e_service").clean()
    assert "url" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        ServiceChannel(kind="office").clean()
    assert "place" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        ServiceChannel(kind="phone", province="99").clean()
    assert "province" in error.value.message_dict


def test_sample_form_checks(settings):
    settings.MANUAL_FORM_MAX_BYTES = 1024
    validate_sample_form_file(SimpleUploadedFile("form.pdf", b"%PDF-1.7 small\n%%EOF\n"))
    with pytest.raises(ValidationError, match="too large"):
        validate_sample_form_file(SimpleUploadedFile("form.pdf", b"%PDF-" + b"x" * 2000))
    with pytest.raises(ValidationError, match="not accepted"):
        validate_sample_form_file(SimpleUploadedFile("virus.exe", b"MZ\x90\x00"))
    with pytest.raises(ValidationError, match="does not match"):
        validate_sample_form_file(SimpleUploadedFile("form.pdf", b"<html>not a pdf"))
    with pytest.raises(ValidationError, match="empty"):
        validate_sample_form_file(SimpleUploadedFile("form.pdf", b""))
