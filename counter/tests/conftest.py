import pytest

from idcard.simulated import valid_citizen_id

CID = valid_citizen_id("110170023456")


@pytest.fixture
def service_a(agency_a):
    from manual.tests.factories import make_published

    return make_published(agency=agency_a, code="svc-a", name_th="การขอใบอนุญาตทดสอบ")


@pytest.fixture
def service_b(agency_b):
    from manual.tests.factories import make_published

    return make_published(agency=agency_b, code="svc-b", name_th="บริการของกรมบี")


@pytest.fixture
def point_a(agency_a):
    from service_points.tests.factories import PublishedPointFactory

    return PublishedPointFactory(agency=agency_a, name_th="จุดบริการเอ")


@pytest.fixture
def record_a(agency_a, service_a, point_a, officer_a):
    from counter import services

    return services.verification_record_create(
        agency=agency_a,
        service=service_a,
        point=point_a,
        officer=officer_a,
        source="card",
        values={"citizen_id": CID, "name_th": "นายสมชาย ใจดี"},
        fields_used=["citizen_id", "name_th"],
    )
