"""Fixtures every app's tests may use: agencies, people in each role, and the browser."""

import os

import pytest
from django.core.cache import cache

from accounts.tests.factories import (
    PASSWORD,
    AgencyAdminFactory,
    EgaAdminFactory,
    OverseerFactory,
    UserFactory,
)
from agencies.tests.factories import DepartmentFactory

pytest_plugins = ["core.tests.browser", "core.tests.redis_server"]


@pytest.fixture(autouse=True)
def _english_off(settings):
    """Tests see the portal as a Thai reader does unless they switch."""
    settings.LANGUAGE_CODE = "th"


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def agency_a(db):
    return DepartmentFactory(code="agency-a", name_th="กรมเอ", name_en="Department A")


@pytest.fixture
def agency_b(db):
    return DepartmentFactory(code="agency-b", name_th="กรมบี", name_en="Department B")


@pytest.fixture
def officer_a(agency_a):
    return UserFactory(agency=agency_a, email="officer@a.go.th")


@pytest.fixture
def admin_a(agency_a):
    return AgencyAdminFactory(agency=agency_a, email="admin@a.go.th")


@pytest.fixture
def officer_b(agency_b):
    return UserFactory(agency=agency_b, email="officer@b.go.th")


@pytest.fixture
def admin_b(agency_b):
    return AgencyAdminFactory(agency=agency_b, email="admin@b.go.th")


@pytest.fixture
def ega_admin(db):
    return EgaAdminFactory(email="admin@ega.or.th")


@pytest.fixture
def overseer(db):
    return OverseerFactory(email="overseer@opdc.go.th")


@pytest.fixture
def role_users(officer_a, admin_a, ega_admin, overseer):
    """One user per role, all for agency A where they have one; None is anonymous."""
    return {
        "anonymous": None,
        "officer_a": officer_a,
        "admin_a": admin_a,
        "ega_admin": ega_admin,
        "overseer": overseer,
    }


def pytest_collection_modifyitems(config, items):
    if os.environ.get("REQUIRE_BROWSER"):
        return
    if not os.path.exists(os.environ.get("CHROMIUM", "/usr/bin/chromium")):
        skip = pytest.mark.skip(reason="/usr/bin/chromium is not installed")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the rate limits' counters live there)."""
    cache.clear()
