"""The fast path of a citizen's answer (ADR 0044): the per-process target cache, the quick
check of the usual answer, and the two ways of storing it (one statement on PostgreSQL, a
transaction elsewhere), which must give the same result."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, event, given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.text import text_is_clean
from feedback import selectors, services, views
from feedback.forms import ResponseForm, response_quick_clean
from feedback.models import SCORES, SUM_FIELDS, PointDay, Response
from feedback.selectors import feedback_target, feedback_target_forget
from feedback.tests.factories import form_post, submit
from manual.models import Service
from manual.tests.factories import make_published
from service_points.models import ServicePoint
from service_points.tests.factories import PublishedPointFactory, with_photo

NOT_OPEN = "จุดให้บริการนี้ไม่ได้เปิดรับการประเมิน"  # "This service point does not take feedback."
CHOOSE_SERVICE = "กรุณาเลือกบริการจากรายการ"  # "Choose a service from the list."


def _offered(target, pk):
    """The service the citizen's page offers under this choice, as the view looks it up."""
    return next((s for s in target.services if str(s.pk) == str(pk)), None)


def give_url(point) -> str:
    return reverse("feedback:give", args=[point.pk])


@pytest.fixture
def service_a(agency_a):
    return make_published(agency=agency_a, code="id-card", name_th="การทำบัตรประชาชน")


# The ways of storing an answer this database has: the one statement is PostgreSQL's; SQLite
# (script/test's default) runs the same tests and assertions on its transaction path.
STORE_PATHS = (
    ["one_statement", "transaction"] if connection.vendor == "postgresql" else ["transaction"]
)


@pytest.fixture(params=STORE_PATHS)
def store_path(request, monkeypatch):
    """Runs the test through each way of storing an answer this database has."""
    one = request.param == "one_statement"
    monkeypatch.setattr(services, "_one_statement", lambda: one)
    return request.param


def _stored() -> tuple:
    """Everything an answer could have written: the answers and every day's figures."""
    answers = list(Response.objects.order_by("pk").values())
    days = list(PointDay.objects.order_by("pk").values())
    return answers, days


# --- the target cache -------------------------------------------------------------------
def test_a_second_lookup_of_a_point_makes_no_query(point_a, service_a, django_assert_num_queries):
    feedback_target_forget()
    with django_assert_num_queries(3):  # the point, then its agency and the agency's services
        first = feedback_target(point_pk=point_a.pk)
    with django_assert_num_queries(0):
        again = feedback_target(point_pk=point_a.pk)
        assert again.point.agency.name_th == "กรมเอ"  # loaded with the point
        assert [s.name_th for s in again.services] == ["การทำบัตรประชาชน"]
        assert _offered(again, service_a.pk) == service_a
        assert _offered(again, "other") is None
    assert again.point == first.point and again.services is first.services
    assert again.point == point_a and again.point.is_published


def test_points_of_one_agency_share_its_services_and_a_new_point_is_one_query(
    point_a, service_a, django_assert_num_queries
):
    feedback_target_forget()
    first = feedback_target(point_pk=point_a.pk)
    other = PublishedPointFactory.build(agency=point_a.agency)
    other.save_base(raw=True)  # published by another process: no signal here
    with django_assert_num_queries(1):  # the new point alone: its agency is remembered
        second = feedback_target(point_pk=other.pk)
    assert second.services is first.services
    assert second.point.agency is first.point.agency
    with django_assert_num_queries(1):  # a field not loaded is read when asked for
        assert second.point.phone == other.phone


def test_the_target_offers_only_the_agencys_published_services_in_name_order(point_a, agency_b):
    from manual.tests.factories import make_service

    make_published(agency=point_a.agency, code="z", name_th="ฮ บริการสุดท้าย")
    make_published(agency=point_a.agency, code="a", name_th="ก บริการแรก")
    make_service(agency=point_a.agency, code="draft", name_th="ข บริการร่าง")
    make_published(agency=agency_b, code="b", name_th="ค บริการของกรมบี")
    feedback_target_forget()
    target = feedback_target(point_pk=point_a.pk)
    assert [s.name_th for s in target.services] == ["ก บริการแรก", "ฮ บริการสุดท้าย"]


def test_saving_the_point_empties_the_cache(point_a):
    feedback_target_forget()
    assert feedback_target(point_pk=point_a.pk).point.name_th == "สำนักงานเขตทดสอบ"
    point_a.name_th = "สำนักงานเขตใหม่"
    point_a.save()
    assert point_a.pk not in selectors._TARGETS
    assert feedback_target(point_pk=point_a.pk).point.name_th == "สำนักงานเขตใหม่"


def test_what_was_read_before_the_change_committed_is_forgotten_at_commit(
    point_a, django_capture_on_commit_callbacks
):
    feedback_target_forget()
    with django_capture_on_commit_callbacks(execute=True):
        point_a.name_th = "สำนักงานเขตใหม่"
        point_a.save()
        feedback_target(point_pk=point_a.pk)  # another request, before the commit
        assert point_a.pk in selectors._TARGETS
    assert point_a.pk not in selectors._TARGETS


def test_publishing_or_archiving_a_service_empties_the_cache(point_a, service_a):
    from manual.services import service_archive

    feedback_target_forget()
    assert feedback_target(point_pk=point_a.pk).services == (service_a,)
    added = make_published(agency=point_a.agency, code="birth", name_th="การแจ้งเกิด")
    assert set(feedback_target(point_pk=point_a.pk).services) == {service_a, added}
    service_archive(service=service_a, by=None)
    assert feedback_target(point_pk=point_a.pk).services == (added,)


def test_renaming_the_agency_empties_the_cache(point_a):
    feedback_target_forget()
    assert feedback_target(point_pk=point_a.pk).point.agency.name_th == "กรมเอ"
    agency = point_a.agency
    agency.name_th = "กรมเอใหม่"
    agency.save()
    assert agency.pk not in selectors._AGENCIES
    assert feedback_target(point_pk=point_a.pk).point.agency.name_th == "กรมเอใหม่"


def test_archiving_the_point_through_save_closes_it_at_once(point_a):
    feedback_target_forget()
    assert feedback_target(point_pk=point_a.pk) is not None
    point_a.archive()
    point_a.save()
    assert feedback_target(point_pk=point_a.pk) is None


def test_a_draft_or_unknown_point_is_not_found_and_not_remembered(draft_point_a):
    feedback_target_forget()
    assert feedback_target(point_pk=draft_point_a.pk) is None
    assert feedback_target(point_pk=999_999) is None
    assert draft_point_a.pk not in selectors._TARGETS and 999_999 not in selectors._TARGETS


def test_a_point_published_afterwards_is_found_at_once(draft_point_a):
    feedback_target_forget()
    assert feedback_target(point_pk=draft_point_a.pk) is None
    with_photo(draft_point_a)
    draft_point_a.publish()
    draft_point_a.save()  # the signal empties the cache too
    assert feedback_target(point_pk=draft_point_a.pk).point == draft_point_a


def test_a_point_published_by_another_process_is_found_at_once(draft_point_a):
    """No signal reaches this process: only not remembering the miss makes it work."""
    feedback_target_forget()
    assert feedback_target(point_pk=draft_point_a.pk) is None
    ServicePoint.objects.filter(pk=draft_point_a.pk).update(status=ServicePoint.Status.PUBLISHED)
    assert feedback_target(point_pk=draft_point_a.pk).point == draft_point_a


def test_zero_seconds_caches_nothing(point_a, settings, django_assert_num_queries):
    settings.FEEDBACK_TARGET_CACHE_SECONDS = 0
    feedback_target_forget()
    assert feedback_target(point_pk=point_a.pk) is not None
    assert not len(selectors._TARGETS) and not len(selectors._AGENCIES)
    with django_assert_num_queries(3):
        assert feedback_target(point_pk=point_a.pk).point == point_a


def test_a_remembered_point_is_loaded_again_after_its_seconds(
    point_a, settings, monkeypatch, django_assert_num_queries
):
    from types import SimpleNamespace

    settings.FEEDBACK_TARGET_CACHE_SECONDS = 60
    clock = [1000.0]
    monkeypatch.setattr(selectors, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    feedback_target_forget()
    first = feedback_target(point_pk=point_a.pk)
    clock[0] += 59.9
    with django_assert_num_queries(0):
        assert feedback_target(point_pk=point_a.pk).services is first.services
    clock[0] += 0.2
    with django_assert_num_queries(3):
        assert feedback_target(point_pk=point_a.pk) is not first


def test_every_published_point_is_read_in_one_query_and_none_other(
    agency_a, draft_point_a, django_assert_num_queries
):
    points = PublishedPointFactory.create_batch(3, agency=agency_a)
    feedback_target_forget()
    feedback_target(point_pk=points[0].pk)
    assert set(selectors._TARGETS) == {point.pk for point in points}
    with django_assert_num_queries(0):
        assert feedback_target(point_pk=points[2].pk).point == points[2]


# --- a stale cache is safe --------------------------------------------------------------
def test_a_point_unpublished_elsewhere_takes_no_answer_from_a_stale_target(store_path, point_a):
    submit(point_a)
    feedback_target_forget()
    target = feedback_target(point_pk=point_a.pk)
    ServicePoint.objects.filter(pk=point_a.pk).update(status=ServicePoint.Status.ARCHIVED)
    again = feedback_target(point_pk=point_a.pk)  # still remembered, still "published"
    assert again.point == target.point and again.point.is_published
    before = _stored()
    with pytest.raises(ValidationError) as error, translation.override("en"):
        submit(target.point)
    assert error.value.messages == ["This service point does not take feedback."]
    assert _stored() == before
    assert Response.objects.count() == 1 and PointDay.objects.get().responses == 1


@pytest.mark.parametrize("change", ["archived", "draft", "other_agency"])
def test_a_service_withdrawn_elsewhere_takes_no_answer_from_a_stale_target(
    store_path, point_a, service_a, agency_b, change
):
    submit(point_a, service=service_a)
    feedback_target_forget()
    target = feedback_target(point_pk=point_a.pk)
    withdrawn = Service.objects.filter(pk=service_a.pk)
    if change == "other_agency":
        withdrawn.update(agency=agency_b)
    else:
        withdrawn.update(status=change)
    before = _stored()
    with pytest.raises(ValidationError) as error, translation.override("en"):
        submit(target.point, service=_offered(target, service_a.pk))
    assert error.value.message_dict == {"service": ["Choose a service from the list."]}
    assert _stored() == before
    assert Response.objects.count() == 1 and PointDay.objects.get().responses == 1


def test_a_point_moved_to_another_agency_elsewhere_answers_to_its_new_agency(
    store_path, point_a, service_a, agency_b
):
    feedback_target_forget()
    target = feedback_target(point_pk=point_a.pk)
    ServicePoint.objects.filter(pk=point_a.pk).update(agency=agency_b)
    with pytest.raises(ValidationError) as error, translation.override("en"):
        submit(target.point, service=_offered(target, service_a.pk))
    assert error.value.message_dict == {"service": ["Choose a service from the list."]}
    assert not Response.objects.exists()
    stored = submit(target.point, service=None)
    assert stored.agency_id == agency_b.pk
    assert Response.objects.get().agency_id == agency_b.pk
    assert PointDay.objects.get().agency_id == agency_b.pk


def test_other_service_still_works_when_the_listed_one_was_withdrawn(
    store_path, point_a, service_a
):
    feedback_target_forget()
    target = feedback_target(point_pk=point_a.pk)
    Service.objects.filter(pk=service_a.pk).update(status=Service.Status.ARCHIVED)
    stored = submit(target.point, service=None, service_other="ทำบัตร")
    assert Response.objects.get().pk == stored.pk and stored.is_counted


# --- the quick check of the usual answer ------------------------------------------------
@pytest.fixture
def offered(point_a, agency_b):
    """The services the citizen's page offers (as the view gets them) and another agency's."""
    make_published(agency=point_a.agency, code="id-card", name_th="การทำบัตรประชาชน")
    make_published(agency=point_a.agency, code="birth", name_th="การแจ้งเกิด")
    foreign = make_published(agency=agency_b, code="foreign", name_th="บริการของกรมบี")
    feedback_target_forget()
    return feedback_target(point_pk=point_a.pk).services, foreign


TEXT_FIELDS = ("service_other", "comment", "contact_name", "contact_email", "contact_phone")
FIELDS = ("service", *SCORES, "asked_for_copy", *TEXT_FIELDS, "submission")
SUBMISSION = "3f2b8c1e-5d4a-4e6b-9c7d-0a1b2c3d4e5f"
MISSING = object()

odd_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=" \t\r\n\x00\x0b\x0c\x1c\x85\xa0\u2003\u3000กขา่้ำ.@5", max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            " 5",
            "5 ",
            "05",
            "5.0",
            "٥",
            "๕",
            "Yes",
            "YES",
            "on",
            "true",
            "other ",
            "OTHER",
            "\r\n",
            "-1",
            "6",
            "0",
        ]
    ),
    # long text around the limits (200 and 1,000 characters), with CRLF that counts as one
    st.builds(
        lambda n, chunk, pad: pad + chunk * n + pad,
        st.integers(0, 1010),
        st.sampled_from(["ก", "a", "\r\n", "ก\r\n", " ", "ดี "]),
        st.sampled_from(["", " ", "\n", "\r\n", "\x00", "\u3000"]),
    ),
)
usual_text = st.one_of(
    st.just(""),
    st.sampled_from(["ขอใบอนุญาต", "  รวดเร็วดี  ", "ดีมาก\r\nขอบคุณ", "โทร 081-234-5678", "ok"]),
    st.builds(
        lambda n, chunk: chunk * n,
        st.sampled_from([99, 100, 101, 199, 200, 201, 333, 334, 499, 500, 501]),
        st.sampled_from(["ก", "ab", "ก\r\n", "a\n"]),
    ),
)


def usual_value(name: str, service_keys: list[str]):
    if name == "service":
        return st.sampled_from([*service_keys, "other"])
    if name in SCORES:
        return st.sampled_from(["1", "2", "3", "4", "5"])
    if name == "asked_for_copy":
        return st.sampled_from(["yes", "no"])
    if name == "contact_email":
        return st.sampled_from(["", "", "somchai@example.com"])
    if name == "contact_phone":
        return st.sampled_from(["", "", "0812345678"])
    if name == "submission":
        return st.sampled_from(["", SUBMISSION])
    return usual_text


@st.composite
def posted(draw, service_keys: list[str], foreign_key: str):
    """What a browser (or anyone) may post: mostly usual answers, a few fields odd or absent."""
    odd = draw(st.sets(st.sampled_from(FIELDS), max_size=4))
    values = {}
    for name in FIELDS:
        if name not in odd:
            values[name] = draw(usual_value(name, service_keys))
            continue
        extra = [foreign_key, f" {service_keys[0]}", f"{service_keys[0]} "]
        value = draw(st.one_of(st.just(MISSING), odd_text, st.sampled_from(extra)))
        if value is not MISSING:
            values[name] = value
    if not draw(st.booleans()):
        return values
    data = QueryDict(mutable=True)  # as request.POST: a name may come more than once
    for name, value in values.items():
        data.setlist(name, [*draw(st.lists(odd_text, max_size=1)), value])
    return data


@hypothesis_settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_quick_check_agrees_with_the_form_or_leaves_it_to_the_form(db, offered, data):
    services_offered, foreign = offered
    keys = [str(s.pk) for s in services_offered]
    post = data.draw(posted(keys, str(foreign.pk)))
    note(repr(dict(post.lists()) if isinstance(post, QueryDict) else post))
    form = ResponseForm(post, services=services_offered)
    valid = form.is_valid()
    quick = response_quick_clean(post, services=services_offered)
    event("quick" if quick is not None else "form valid" if valid else "form invalid")
    if quick is not None:
        assert valid, form.errors
        assert quick == form.cleaned_data
        assert {k: type(v) for k, v in quick.items()} == {
            k: type(v) for k, v in form.cleaned_data.items()
        }
    elif valid:
        # the quick check only declines usual answers when a contact was given, text that
        # core.text.clean_text would change (the form normalises it), or a phone-made id
        # written other than the way phones write it
        assert (
            post.get("contact_email")
            or post.get("contact_phone")
            or post.get("submission") not in (None, "", SUBMISSION)
            or not all(
                text_is_clean((post.get(n) or "").strip(), multiline=n == "comment")
                for n in ("service_other", "comment", "contact_name")
            )
        )


def test_the_usual_answer_is_cleaned_without_the_form(offered):
    services_offered, _foreign = offered
    chosen = services_offered[0]
    post = form_post(
        service=chosen.pk,
        service_other="ignored",
        overall=5,
        process=4,
        staff=3,
        facilities=2,
        outcome=1,
        asked_for_copy="yes",
        comment="  ดีมาก\r\nขอบคุณ  ",
        contact_name=" สมชาย ",
        submission=SUBMISSION,
    )
    quick = response_quick_clean(post, services=services_offered)
    assert quick == {
        "service": str(chosen.pk),
        "service_obj": chosen,
        "service_other": "",
        "overall": 5,
        "process": 4,
        "staff": 3,
        "facilities": 2,
        "outcome": 1,
        "asked_for_copy": True,
        "comment": "ดีมาก\nขอบคุณ",
        "contact_name": "สมชาย",
        "contact_email": "",
        "contact_phone": "",
        "submission": uuid.UUID(SUBMISSION),
    }
    form = ResponseForm(post, services=services_offered)
    assert form.is_valid() and form.cleaned_data == quick


def test_other_service_keeps_its_text_in_the_quick_check(offered):
    services_offered, _foreign = offered
    quick = response_quick_clean(
        form_post(service="other", service_other="  ขอใบอนุญาต "), services=services_offered
    )
    assert quick["service_obj"] is None and quick["service_other"] == "ขอใบอนุญาต"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contact_email", "somchai@example.com"),
        ("contact_email", " "),
        ("contact_phone", "0812345678"),
        ("overall", " 5"),
        ("overall", "6"),
        ("staff", ""),
        ("asked_for_copy", "Yes"),
        ("service", ""),
        ("service", "foreign"),
        ("comment", "ก" * 1001),
        ("comment", "ดี\x00"),
        ("submission", SUBMISSION.upper()),
        ("submission", "not-a-uuid"),
        ("contact_name", "ก" * 201),
        ("service_other", "ก" * 201),
    ],
)
def test_anything_unusual_is_left_to_the_form(offered, field, value):
    services_offered, foreign = offered
    post = form_post(**{field: str(foreign.pk) if value == "foreign" else value})
    assert response_quick_clean(post, services=services_offered) is None


def test_a_missing_score_is_left_to_the_form(offered):
    services_offered, _foreign = offered
    post = form_post()
    del post["outcome"]
    assert response_quick_clean(post, services=services_offered) is None
    assert not ResponseForm(post, services=services_offered).is_valid()


def test_a_1000_character_comment_with_crlf_passes_the_quick_check(offered):
    services_offered, _foreign = offered
    comment = ("ก" * 99 + "\r\n") * 10
    quick = response_quick_clean(form_post(comment=comment), services=services_offered)
    assert quick is not None and len(quick["comment"]) == 999


# --- the citizen's page -----------------------------------------------------------------
def test_the_page_its_answers_and_the_thanks_load_the_point_once(client, point_a, monkeypatch):
    loads = []
    load = selectors._load_every_point
    monkeypatch.setattr(
        selectors, "_load_every_point", lambda **kwargs: loads.append(1) or load(**kwargs)
    )
    feedback_target_forget()
    assert client.get(give_url(point_a)).status_code == 200
    for device in ("phone-1", "phone-2"):
        client.cookies["fb_device"] = device
        page = client.post(give_url(point_a), form_post(), follow=True)
        assert page.redirect_chain[-1][0] == reverse("feedback:thanks", args=[point_a.pk])
    assert loads == [1]
    assert PointDay.objects.get(point=point_a).responses == 2


def test_the_remembered_point_draws_its_pages_without_reading_it_again(client, point_a, service_a):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    feedback_target_forget()
    assert client.get(give_url(point_a)).status_code == 200
    with CaptureQueriesContext(db) as queries:
        page = client.get(give_url(point_a))
        thanks = client.get(reverse("feedback:thanks", args=[point_a.pk]))
    assert page.status_code == thanks.status_code == 200
    assert "กรมเอ" in page.content.decode() and service_a.name_th in page.content.decode()
    assert point_a.name_th in thanks.content.decode()
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert "service_points_servicepoint" not in read and "manual_service" not in read


def test_the_answer_stored_is_the_same_with_or_without_the_quick_check(
    client, point_a, service_a, monkeypatch
):
    feedback_target_forget()
    post = form_post(
        service=service_a.pk,
        overall=2,
        asked_for_copy="yes",
        comment=" ช้ามาก\r\nโทร 0812345678 ",
        contact_name=" สมชาย ",
    )
    client.cookies["fb_device"] = "phone-quick"
    assert client.post(give_url(point_a), post).status_code == 302
    monkeypatch.setattr(views, "response_quick_clean", lambda data, *, services: None)
    client.cookies["fb_device"] = "phone-form"
    assert client.post(give_url(point_a), post).status_code == 302
    ignored = {"id", "created_at", "device_hash"}
    quick, full = (
        {k: v for k, v in row.items() if k not in ignored}
        for row in Response.objects.order_by("pk").values()
    )
    assert quick == full
    assert quick["comment"] == "ช้ามาก\nโทร xxxxxxxxxx" and quick["contact_name"] == "สมชาย"
    assert quick["status"] == Response.Status.ACCEPTED
    assert PointDay.objects.get().responses == 2


def test_an_answer_with_a_contact_goes_through_the_form_and_its_errors_show(client, point_a):
    feedback_target_forget()
    page = client.post(give_url(point_a), form_post(contact_email="not-an-email"))
    assert page.status_code == 400
    assert 'href="#id_contact_email"' in page.content.decode()
    assert not Response.objects.exists()
    ok = client.post(give_url(point_a), form_post(contact_email=" me@example.com "))
    assert ok.status_code == 302
    assert Response.objects.get().contact_email == "me@example.com"


def test_a_point_unpublished_elsewhere_refuses_the_answer_on_the_page(store_path, client, point_a):
    feedback_target_forget()
    assert client.get(give_url(point_a)).status_code == 200
    ServicePoint.objects.filter(pk=point_a.pk).update(status=ServicePoint.Status.ARCHIVED)
    page = client.post(give_url(point_a), form_post())
    html = page.content.decode()
    assert page.status_code == 400
    assert "error-summary" in html and NOT_OPEN in html
    assert not Response.objects.exists() and not PointDay.objects.exists()


def test_a_service_withdrawn_elsewhere_is_refused_on_the_page_with_the_service_error(
    store_path, client, point_a, service_a
):
    feedback_target_forget()
    assert client.get(give_url(point_a)).status_code == 200
    Service.objects.filter(pk=service_a.pk).update(status=Service.Status.ARCHIVED)
    page = client.post(give_url(point_a), form_post(service=service_a.pk))
    html = page.content.decode()
    assert page.status_code == 400
    assert 'href="#id_service' in html and CHOOSE_SERVICE in html
    assert not Response.objects.exists() and not PointDay.objects.exists()


def test_a_point_published_elsewhere_opens_its_page_at_once(client, draft_point_a):
    feedback_target_forget()
    assert client.get(give_url(draft_point_a)).status_code == 404
    ServicePoint.objects.filter(pk=draft_point_a.pk).update(status=ServicePoint.Status.PUBLISHED)
    assert client.get(give_url(draft_point_a)).status_code == 200
    assert client.post(give_url(draft_point_a), form_post()).status_code == 302
    assert Response.objects.get().point_id == draft_point_a.pk


# --- both ways of storing give the same result --------------------------------------------
def test_the_database_decides_the_way_of_storing(point_a, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the other way was taken")

    postgresql = connection.vendor == "postgresql"
    unused = "_store_in_transaction" if postgresql else "_store_in_one_statement"
    monkeypatch.setattr(services, unused, refuse)
    assert submit(point_a).is_counted


def _day(point) -> dict:
    return PointDay.objects.filter(point=point).values(*SUM_FIELDS, "agency_id", "day").get()


def test_a_counted_answer_is_stored_field_by_field_and_added_to_its_day(
    store_path, point_a, service_a
):
    first = submit(
        point_a,
        service=service_a,
        service_other="ignored when a service is chosen",
        overall=5,
        process=4,
        staff=3,
        facilities=2,
        outcome=1,
        asked_for_copy=True,
        comment="  ดีมาก\r\nโทร 081-234-5678  ",
        contact_name=" สมชาย ",
        contact_email=" somchai@example.com ",
        contact_phone=" 0812345678 ",
        device_token="phone-1",
        ip="203.0.113.7",
    )
    stored = Response.objects.get()
    assert stored.pk == first.pk and not first._state.adding
    assert stored.point_id == point_a.pk and stored.agency_id == point_a.agency_id
    assert stored.service_id == service_a.pk and stored.service_other == ""
    assert [getattr(stored, s) for s in SCORES] == [5, 4, 3, 2, 1]
    assert stored.asked_for_copy is True
    assert stored.comment == "ดีมาก\nโทร xxx-xxx-xxxx"
    assert (stored.contact_name, stored.contact_email, stored.contact_phone) == (
        "สมชาย",
        "somchai@example.com",
        "0812345678",
    )
    assert (stored.status, stored.flag_reason) == (Response.Status.ACCEPTED, "")
    assert (stored.reviewed_by_id, stored.reviewed_at) == (None, None)
    assert stored.device_hash == services.device_hash("phone-1")
    assert stored.network_hash == services.network_hash("203.0.113.7")
    assert stored.created_at == first.created_at
    for name in ("status", "flag_reason", "agency_id", "service_id", "comment", *SCORES):
        assert getattr(first, name) == getattr(stored, name), name

    submit(
        point_a,
        service=None,
        service_other=" ขอใบอนุญาต ",
        overall=4,
        process=3,
        staff=5,
        facilities=1,
        outcome=4,
        asked_for_copy=False,
        comment="   ",
    )
    other = Response.objects.exclude(pk=first.pk).get()
    assert (other.service_id, other.service_other, other.comment) == (None, "ขอใบอนุญาต", "")
    assert _day(point_a) == {
        "agency_id": point_a.agency_id,
        "day": timezone.localdate(first.created_at),
        "responses": 2,
        "copy_asked": 1,
        "comments": 1,
        "overall_sum": 9,
        "overall_top2": 2,
        "process_sum": 7,
        "process_top2": 1,
        "staff_sum": 8,
        "staff_top2": 1,
        "facilities_sum": 3,
        "facilities_top2": 0,
        "outcome_sum": 5,
        "outcome_top2": 1,
    }


def test_an_answer_sent_again_under_its_phone_made_id_is_stored_once(store_path, point_a):
    """The app's offline queue may send an answer whose first sending did arrive (ADR 0091)."""
    submission = uuid.uuid4()
    first = submit(point_a, device_token="phone-1", submission=submission, overall=5)
    before = _stored()
    again = submit(point_a, device_token="phone-1", submission=submission, overall=5)
    assert again.pk == first.pk and again.is_counted
    assert _stored() == before  # nothing written: one answer, counted once in its day
    assert _day(point_a)["responses"] == 1
    other = submit(point_a, device_token="phone-1", submission=uuid.uuid4())
    assert (other.status, other.flag_reason) == ("flagged", "duplicate")  # the visit rule


def test_an_answer_sent_again_stays_stored_even_when_its_network_is_now_refused(
    store_path, point_a, settings
):
    settings.FEEDBACK_NETWORK_HARD_LIMIT_PER_HOUR = 1
    submission = uuid.uuid4()
    first = submit(point_a, ip="203.0.113.9", submission=submission)
    with pytest.raises(services.TooManyResponsesError):
        submit(point_a, ip="203.0.113.9")
    assert submit(point_a, ip="203.0.113.9", submission=submission).pk == first.pk
    assert Response.objects.count() == 1


def test_answers_without_a_phone_made_id_are_never_taken_for_each_other(store_path, point_a):
    submit(point_a, submission=None)
    submit(point_a, submission=None)
    assert Response.objects.filter(submission=None, status="accepted").count() == 2


def test_a_filled_honeypot_is_held_and_not_counted(store_path, point_a):
    held = submit(point_a, honeypot="http://spam.example", overall=1)
    stored = Response.objects.get()
    assert stored.pk == held.pk
    assert (held.status, held.flag_reason) == ("flagged", "honeypot")
    assert (stored.status, stored.flag_reason) == ("flagged", "honeypot")
    assert not PointDay.objects.exists()


def test_a_second_answer_from_the_device_for_the_point_is_held_as_duplicate(
    store_path, point_a, point_b
):
    submit(point_a, device_token="phone-1")
    again = submit(point_a, device_token="phone-1")
    elsewhere = submit(point_b, device_token="phone-1")
    assert (again.status, again.flag_reason) == ("flagged", "duplicate")
    assert Response.objects.get(pk=again.pk).flag_reason == "duplicate"
    assert elsewhere.is_counted
    assert _day(point_a)["responses"] == 1 and _day(point_b)["responses"] == 1


def test_a_device_over_its_hourly_limit_is_held(store_path, agency_a, settings):
    settings.FEEDBACK_DEVICE_LIMIT_PER_HOUR = 2
    points = PublishedPointFactory.create_batch(4, agency=agency_a)
    results = [submit(point, device_token="busy-phone") for point in points]
    assert [(r.status, r.flag_reason) for r in results] == [
        ("accepted", ""),
        ("accepted", ""),
        ("flagged", "device_rate"),
        ("flagged", "device_rate"),
    ]
    stored = list(Response.objects.order_by("pk").values_list("status", "flag_reason"))
    assert stored == [(r.status, r.flag_reason) for r in results]
    assert PointDay.objects.filter(responses=1).count() == 2 and PointDay.objects.count() == 2


def test_a_network_over_its_soft_limit_is_held(store_path, point_a, settings):
    settings.FEEDBACK_NETWORK_LIMIT_PER_HOUR = 2
    results = [submit(point_a, ip="198.51.100.9", overall=5) for _ in range(4)]
    assert [(r.status, r.flag_reason) for r in results] == [
        ("accepted", ""),
        ("accepted", ""),
        ("flagged", "network_rate"),
        ("flagged", "network_rate"),
    ]
    assert sorted(Response.objects.values_list("flag_reason", flat=True)) == [
        "",
        "",
        "network_rate",
        "network_rate",
    ]
    assert _day(point_a)["responses"] == 2 and _day(point_a)["overall_sum"] == 10


def test_a_network_over_its_hard_limit_is_refused_and_nothing_is_written(
    store_path, point_a, settings
):
    settings.FEEDBACK_NETWORK_LIMIT_PER_HOUR = 1
    settings.FEEDBACK_NETWORK_HARD_LIMIT_PER_HOUR = 3
    for _ in range(3):
        submit(point_a, ip="198.51.100.9")
    before = _stored()
    with pytest.raises(services.TooManyResponsesError):
        submit(point_a, ip="198.51.100.9")
    assert _stored() == before
    assert Response.objects.count() == 3 and _day(point_a)["responses"] == 1
    assert submit(point_a, ip="198.51.100.10").is_counted


def _scenario(point_main, point_q, point_r, service, net: str) -> list:
    """Every kind of answer, in an order where each check's precedence matters."""
    outcomes = []

    def attempt(point, device, address, **fields):
        try:
            response = submit(
                point, device_token=f"{net}-{device}", ip=f"{net}.{address}", **fields
            )
        except services.TooManyResponsesError:
            outcomes.append("refused")
            return
        stored = Response.objects.get(pk=response.pk)
        assert (stored.status, stored.flag_reason) == (response.status, response.flag_reason)
        outcomes.append(response.flag_reason or response.status)

    attempt(
        point_main,
        "d1",
        1,
        service=service,
        overall=5,
        process=4,
        staff=3,
        facilities=2,
        outcome=1,
        asked_for_copy=True,
        comment=" ดีมาก\r\nโทร 081-234-5678 ",
        contact_name=" สมชาย ",
        contact_email="somchai@example.com",
        contact_phone="0812345678",
    )
    attempt(point_main, "d2", 2, service_other=" ขอใบอนุญาต 0812345678 ", overall=1, outcome=5)
    attempt(point_main, "d3", 3, honeypot="http://spam.example", comment="ซื้อเลย")
    attempt(point_main, "d1", 4, overall=2)  # duplicate
    attempt(point_q, "d5", 5)
    attempt(point_r, "d5", 5, asked_for_copy=True)
    attempt(point_main, "d5", 5)  # device limit
    attempt(point_main, "d1", 6)  # duplicate before the device limit
    for n in range(1, 7):  # soft limit 3, hard limit 5
        attempt(point_main, f"e{n}", 9, staff=n % 5 + 1, comment="ช้า" if n % 2 else "")
    attempt(point_main, "e7", 9, honeypot="x")  # the hard limit comes before the honeypot
    attempt(point_main, "e1", 9)  # and before a duplicate
    attempt(point_q, "e8", 9)  # a new device on the network is refused
    return outcomes


def _rows(*points) -> list:
    ignored = {"id", "point_id", "created_at", "device_hash", "network_hash"}
    return [
        (
            [
                {k: v for k, v in row.items() if k not in ignored}
                for row in Response.objects.filter(point=point).order_by("pk").values()
            ],
            list(PointDay.objects.filter(point=point).values(*SUM_FIELDS, "agency_id", "day")),
        )
        for point in points
    ]


def test_both_ways_of_storing_give_the_same_rows(agency_a, service_a, settings, monkeypatch):
    """Each way this database has plays the same scenario to the same rows and outcomes."""
    settings.FEEDBACK_DEVICE_LIMIT_PER_HOUR = 2
    settings.FEEDBACK_NETWORK_LIMIT_PER_HOUR = 3
    settings.FEEDBACK_NETWORK_HARD_LIMIT_PER_HOUR = 5
    results = {}
    for path, net in zip(STORE_PATHS, ("10.1.1", "10.2.2"), strict=False):
        one = path == "one_statement"
        monkeypatch.setattr(services, "_one_statement", lambda one=one: one)
        points = PublishedPointFactory.create_batch(3, agency=agency_a)
        results[path] = (_scenario(*points, service_a, net), _rows(*points))
    assert all(result == results["transaction"] for result in results.values())
    outcomes, rows = results["transaction"]
    assert outcomes == [
        "accepted",
        "accepted",
        "honeypot",
        "duplicate",
        "accepted",
        "accepted",
        "device_rate",
        "duplicate",
        "accepted",
        "accepted",
        "accepted",
        "network_rate",
        "network_rate",
        "refused",
        "refused",
        "refused",
        "refused",
    ]
    main_answers, main_days = rows[0]
    assert len(main_answers) == 11
    assert main_answers[0]["comment"] == "ดีมาก\nโทร xxx-xxx-xxxx"
    assert main_answers[1]["service_other"] == "ขอใบอนุญาต xxxxxxxxxx"
    assert main_days[0]["responses"] == 5 and main_days[0]["comments"] == 3


def test_the_empty_form_is_drawn_once_per_language_and_list_of_services(
    client, point_a, service_a, monkeypatch
):
    from feedback.forms import ResponseForm as Form

    views._BLANK_FORMS.forget()
    feedback_target_forget()
    drawn = []
    render = Form.render
    monkeypatch.setattr(
        Form, "render", lambda self, *a, **k: drawn.append(1) or render(self, *a, **k)
    )
    first = client.get(give_url(point_a)).content.decode()
    second = client.get(give_url(point_a)).content.decode()
    assert len(drawn) == 1 and service_a.name_th in first
    assert _form_part(first) == _form_part(second)
    client.cookies["django_language"] = "en"
    english = client.get(give_url(point_a)).content.decode()
    assert len(drawn) == 2 and "Which service did you receive?" in english
    make_published(agency=point_a.agency, code="new", name_th="บริการใหม่")  # saves: forgets
    del client.cookies["django_language"]
    assert "บริการใหม่" in client.get(give_url(point_a)).content.decode()
    assert len(drawn) == 3


def _form_part(html: str) -> str:
    start = html.index('<form method="post"')
    return html[start : html.index("</form>", start)].split("csrfmiddlewaretoken", 1)[1][80:]


def test_the_page_sent_twice_with_one_phone_made_id_stores_one_answer_and_thanks_twice(
    store_path, client, point_a
):
    post = form_post(overall=1, submission=str(uuid.uuid4()))
    first = client.post(give_url(point_a), post)
    again = client.post(give_url(point_a), post)
    thanks = reverse("feedback:thanks", args=[point_a.pk]) + "?low=1"
    assert (first.status_code, first["Location"]) == (302, thanks)
    assert (again.status_code, again["Location"]) == (302, thanks)
    assert Response.objects.get().is_counted


def test_a_phone_made_id_that_is_not_one_is_refused_with_the_form(client, point_a):
    response = client.post(give_url(point_a), form_post(submission="x" * 36))
    assert response.status_code == 400
    assert not Response.objects.exists()
