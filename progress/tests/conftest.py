"""A small country: two ministries, departments and units, with points, surveys and
processes, built through the other apps' own models and services."""

from dataclasses import dataclass

import pytest
from django.utils import timezone

from accounts.tests.factories import RegistrationFactory, UserFactory
from agencies.tests.factories import DepartmentFactory, MinistryFactory, UnitFactory
from manual.tests.factories import HOUSE_COPY, ID_COPY, ID_ORIGINAL, make_service
from readiness.models import SurveyResponse
from readiness.tests.factories import SurveyRoundFactory
from service_points.tests.factories import PublishedPointFactory, ServicePointFactory


@dataclass
class World:
    m1: object
    m2: object
    d1: object
    d2: object
    u1: object
    u2: object
    round: object


def submit_survey(agency, round_, **answers):
    fields = {"q1_system": "no", "q5_mou": "no", "q6_linkage": "not_yet", **answers}
    return SurveyResponse.objects.create(
        round=round_,
        agency=agency,
        status=SurveyResponse.Status.SUBMITTED,
        submitted_at=timezone.now(),
        **fields,
    )


def register(agency):
    return RegistrationFactory(user=UserFactory(agency=agency))


@pytest.fixture
def world(db, django_capture_on_commit_callbacks):
    m1 = MinistryFactory(code="m-interior", name_th="กระทรวงมหาดไทย")
    m2 = MinistryFactory(code="m-finance", name_th="กระทรวงการคลัง")
    d1 = DepartmentFactory(code="d-dopa", parent=m1, name_th="กรมการปกครอง")
    d2 = DepartmentFactory(code="d-revenue", parent=m2, name_th="กรมสรรพากร")
    u1 = UnitFactory(code="u-district", parent=d1, name_th="ที่ว่าการอำเภอเมือง")
    u2 = UnitFactory(code="u-office", parent=d2, name_th="สำนักงานสรรพากรพื้นที่")
    round_ = SurveyRoundFactory()
    register(d1)
    register(u1)
    register(d2)
    PublishedPointFactory(agency=d1, province_code="10")
    PublishedPointFactory(agency=u1, province_code="10")
    PublishedPointFactory(agency=u1, province_code="10")
    PublishedPointFactory(agency=d2, province_code="10")
    ServicePointFactory(agency=u2)  # a draft does not count
    submit_survey(d1, round_, q6_linkage="linked")
    submit_survey(u1, round_)
    with django_capture_on_commit_callbacks(execute=True):
        make_service(agency=u1, code="a", documents=[ID_COPY, HOUSE_COPY])
        make_service(agency=u1, code="b", documents=[ID_COPY])
        make_service(agency=u1, code="c", documents=[ID_ORIGINAL])
        make_service(agency=d2, code="d", documents=[ID_ORIGINAL])
    return World(m1=m1, m2=m2, d1=d1, d2=d2, u1=u1, u2=u2, round=round_)
