import pytest

from service_points.tests.factories import PublishedPointFactory, ServicePointFactory


@pytest.fixture
def point_a(agency_a):
    return PublishedPointFactory(agency=agency_a, name_th="สำนักงานเขตทดสอบ")


@pytest.fixture
def point_b(agency_b):
    return PublishedPointFactory(agency=agency_b, name_th="ที่ว่าการอำเภอบี")


@pytest.fixture
def draft_point_a(agency_a):
    return ServicePointFactory(agency=agency_a, name_th="จุดร่าง")


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.FEEDBACK_DEVICE_LIMIT_PER_HOUR = 5
    settings.FEEDBACK_NETWORK_LIMIT_PER_HOUR = 60
    settings.FEEDBACK_NETWORK_HARD_LIMIT_PER_HOUR = 600
    settings.FEEDBACK_DUPLICATE_WINDOW_MINUTES = 30
    settings.FEEDBACK_PUBLIC_MIN_RESPONSES = 3
