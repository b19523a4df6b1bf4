import pytest

from readiness.tests.factories import SurveyRoundFactory, pin


@pytest.fixture
def open_round(db):
    return SurveyRoundFactory()


@pytest.fixture
def pinned_a(agency_a):
    pin(agency_a)
    return agency_a


@pytest.fixture
def pinned_b(agency_b):
    pin(agency_b)
    return agency_b


@pytest.fixture
def manual_a(agency_a):
    """Three processes: one lists both copies, one only the ID card, one neither."""
    from manual.tests.factories import HOUSE_COPY, ID_COPY, ID_ORIGINAL, make_service

    return [
        make_service(
            agency=agency_a,
            code="both",
            name_th="การขอใบอนุญาตก่อสร้าง",
            documents=[ID_COPY, HOUSE_COPY],
        ),
        make_service(
            agency=agency_a, code="id-only", name_th="การขอหนังสือรับรอง", documents=[ID_COPY]
        ),
        make_service(
            agency=agency_a, code="none", name_th="การแจ้งเปลี่ยนชื่อ", documents=[ID_ORIGINAL]
        ),
    ]
