import pytest
from django.core.exceptions import ValidationError

from agencies.models import Agency, AgencyRequest
from agencies.tests.factories import DepartmentFactory, MinistryFactory, UnitFactory


def test_lineage_and_ministry_are_derived(db):
    unit = UnitFactory()
    assert [a.kind for a in unit.lineage()] == ["ministry", "department", "unit"]
    assert unit.ministry == unit.parent.parent
    assert unit.login_identity == f"{unit.code}@info.go.th"


@pytest.mark.parametrize(
    ("kind", "parent_kind", "ok"),
    [
        ("ministry", None, True),
        ("ministry", "ministry", False),
        ("department", "ministry", True),
        ("department", None, False),
        ("department", "department", False),
        ("unit", "department", True),
        ("unit", "unit", False),
        ("unit", "ministry", True),
    ],
)
def test_hierarchy_rules(db, kind, parent_kind, ok):
    parents = {"ministry": MinistryFactory, "department": DepartmentFactory, "unit": UnitFactory}
    parent = parents[parent_kind]() if parent_kind else None
    agency = Agency(code="x-1", kind=kind, parent=parent, name_th="ทดสอบ")
    if ok:
        agency.full_clean()
    else:
        with pytest.raises(ValidationError):
            agency.full_clean()


def test_an_agency_cannot_become_its_own_ancestor(db):
    dept = DepartmentFactory()
    unit = UnitFactory(parent=dept)
    dept.parent = unit
    with pytest.raises(ValidationError):
        dept.full_clean()


def test_archive_transition(db):
    agency = MinistryFactory()
    agency.archive()
    assert agency.status == Agency.Status.ARCHIVED
    with pytest.raises(ValidationError):
        agency.archive()


def test_agency_request_transitions(db, ega_admin, agency_a):
    report = AgencyRequest(
        name_th="ก", requester_name="ข", requester_email="a@b.go.th", requester_phone="0812345678"
    )
    report.approve(by=ega_admin, agency=agency_a)
    assert report.status == AgencyRequest.Status.APPROVED
    with pytest.raises(ValidationError):
        report.reject(by=ega_admin, note="no")
