"""The usual complaint's quick path (ADR 0101): the one prepared statement and the steps it
replaces store the same, the quick check agrees with the form, references stay unique when
complaints are filed at once, and the per-process copies cannot file against the database's
truth."""

import itertools
import threading

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints import selectors, services
from complaints.forms import ComplaintForm, complaint_quick_clean
from complaints.models import Category, Complaint, ComplaintEvent, Route
from complaints.tests.factories import BANGKOK, category, submit
from core import pg
from service_points.tests.factories import PublishedPointFactory

pytestmark = pytest.mark.django_db
CHIANG_MAI = (18.7883, 98.9853)
_NUMBERS = itertools.count(1)


def _stored(complaint: Complaint) -> dict:
    row = Complaint.objects.get(pk=complaint.pk)
    events = list(
        ComplaintEvent.objects.filter(complaint=row).values_list("kind", "to_agency_id", "internal")
    )
    return {
        "agency": row.agency_id,
        "routing": row.routing,
        "held": row.held,
        "deadline": row.deadline,
        "province": row.province_code,
        "state": row.state,
        "public": row.description_public,
        "events": events,
    }


def _steps(patch) -> None:
    """File by the steps (as on SQLite). On PostgreSQL their counter row would hand out the
    numbers the sequence gave already: a database uses one way only, so here the steps get
    references of their own."""
    patch.setattr(pg, "is_postgresql", lambda: False)
    patch.setattr(services, "_next_reference", lambda now: f"CR-TEST-{next(_NUMBERS):06d}")


def _both_ways(monkeypatch, **kwargs) -> tuple[dict, dict]:
    """The same complaint filed by the statement (PostgreSQL) and by the steps (as on
    SQLite); on SQLite both are the steps."""
    first = _stored(submit(**kwargs))
    with monkeypatch.context() as patch:
        _steps(patch)
        second = _stored(submit(**kwargs))
    return first, second


@pytest.mark.parametrize("email", ["", "citizen@example.com"])
def test_both_ways_route_by_the_table_the_default_and_the_fallback(monkeypatch, agency_a, email):
    road = category("road")
    for expected in ("fallback", "category", "route"):
        if expected == "category":
            road.default_agency = agency_a
            road.save()
        if expected == "route":
            Route.objects.create(category=road, province_code="10", agency=agency_a)
        one, other = _both_ways(monkeypatch, reporter_email=email, description="โทร 0812345678")
        assert one == other
        assert one["routing"] == expected
        assert one["agency"] == (None if expected == "fallback" else agency_a.pk)
        assert one["events"] == [("submitted", one["agency"], False)]
        assert "0812345678" not in one["public"]


def test_both_ways_route_a_point_to_its_agency(monkeypatch, agency_a):
    point = PublishedPointFactory(agency=agency_a)
    one, other = _both_ways(monkeypatch, point=point, latitude=None, longitude=None)
    assert one == other and one["routing"] == "point" and one["agency"] == agency_a.pk


def test_both_ways_hold_a_flood_and_refuse_it_past_the_hard_limit(monkeypatch, settings):
    settings.COMPLAINTS_DEVICE_LIMIT_PER_HOUR = 2
    kwargs = {"device_token": "one-phone", "ip": "10.1.1.1", "reporter_email": ""}
    held = [submit(**kwargs).held for _ in range(3)]
    with monkeypatch.context() as patch:
        _steps(patch)
        held_in_steps = [submit(**{**kwargs, "device_token": "two"}).held for _ in range(3)]
    assert held == held_in_steps == [False, False, True]
    settings.COMPLAINTS_NETWORK_HARD_LIMIT_PER_HOUR = 6
    before = Complaint.objects.count()
    with pytest.raises(services.TooManyComplaintsError):
        submit(**kwargs)
    assert Complaint.objects.count() == before


def test_a_category_withdrawn_since_the_copy_was_made_is_refused(monkeypatch):
    road = selectors.categories_offered()[category("road").pk]
    Category.objects.filter(pk=road.pk).update(is_active=False)  # another process did it
    for postgresql in (pg.is_postgresql(), False):
        with monkeypatch.context() as patch:
            patch.setattr(pg, "is_postgresql", lambda postgresql=postgresql: postgresql)
            with pytest.raises(services.ValidationError) as refused:
                submit(category=road, reporter_email="")
        assert "category" in refused.value.message_dict
    assert not Complaint.objects.exists()


def test_a_deadline_changed_since_the_copy_was_made_is_taken_from_the_database():
    road = selectors.categories_offered()[category("road").pk]
    Category.objects.filter(pk=road.pk).update(deadline_working_days=3)
    complaint = submit(category=road, reporter_email="")
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.deadline == services.workdays.add_working_days(
        stored.created_at.astimezone().date(), 3
    )


@pytest.mark.django_db(transaction=True)
def test_references_stay_unique_when_many_are_filed_at_once():
    road = category("road")
    made: list[str] = []
    errors: list[Exception] = []

    def file_some(n: int) -> None:
        try:
            for i in range(8):
                made.append(
                    services.complaint_submit(
                        category=road,
                        description=f"พร้อมกัน {n}-{i}",
                        latitude=BANGKOK[0],
                        longitude=BANGKOK[1],
                    ).reference
                )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=file_some, args=(n,)) for n in range(4)]
    # SQLite's test database (one shared in-memory cache) locks a whole table for a writer,
    # so there the same filings run one thread after another; PostgreSQL runs them at once.
    at_once = connection.vendor == "postgresql"
    for thread in threads:
        thread.start()
        if not at_once:
            thread.join()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(made) == len(set(made)) == 32
    assert set(Complaint.objects.values_list("reference", flat=True)) == set(made)


def _post(**changes) -> dict:
    data = {
        "category": str(category("road").pk),
        "description": "ไฟฟ้าส่องสว่างดับ",
        "latitude": str(CHIANG_MAI[0]),
        "longitude": str(CHIANG_MAI[1]),
        "reporter_name": "",
        "reporter_email": "",
        "reporter_phone": "",
    }
    data.update(changes)
    return data


def test_the_usual_complaint_is_filed_without_a_session_and_said_received_once(client):
    response = client.post("/complaints/new/", _post())
    assert response.status_code == 302
    assert not Session.objects.exists()
    page = client.get(response["Location"]).content.decode()
    complaint = Complaint.objects.get()
    assert complaint.reference in page and "notice" in page
    again = client.get(response["Location"]).content.decode()
    assert 'class="notice"' not in again


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    category_choice=st.sampled_from(["road", "nonsense", "", "999999"]),
    description=st.one_of(
        st.text(max_size=30),
        st.sampled_from(
            ["ถนนพัง\r\nมาก", " ไฟดับ ", "x" * 2000, "x" * 2001, "a\u202eb", "\u00adซ่อม"]
        ),
    ),
    latitude=st.sampled_from(["18.79", " 13.7 ", "", "abc", "nan", "inf", "91", "-90", "1e1"]),
    longitude=st.sampled_from(["98.98", "100.5", "", "181", "-180", "1_00"]),
    name=st.one_of(st.just(""), st.text(max_size=10), st.just("x" * 201)),
    phone=st.sampled_from(["", "081-234-5678", "12", "+66812345678", " 0812345678 "]),
    shown=st.sampled_from([None, "", "on", "yes"]),
)
def test_the_quick_check_agrees_with_the_form(
    category_choice, description, latitude, longitude, name, phone, shown
):
    road = category("road")
    data = {
        "category": str(road.pk) if category_choice == "road" else category_choice,
        "description": description,
        "latitude": latitude,
        "longitude": longitude,
        "reporter_name": name,
        "reporter_email": "",
        "reporter_phone": phone,
    }
    if shown is not None:
        data["name_public"] = shown
    selectors.categories_forget()
    quick = complaint_quick_clean(data, {}, categories=selectors.categories_offered())
    if quick is None:
        return  # the form decides
    form = ComplaintForm(data, {})
    assert form.is_valid(), form.errors
    assert quick == form.cleaned_data
