import itertools

import pytest
from django.utils import timezone

from accounts.models import Registration
from agencies.models import Agency
from manual.models import RequiredDocument, Service
from manual.tests.factories import ID_ORIGINAL, make_service
from progress import selectors, sources
from progress.tests.conftest import submit_survey
from readiness.models import SurveyResponse
from readiness.paths import recommend
from service_points.models import ServicePoint
from service_points.tests.factories import PublishedPointFactory


def independent_national() -> dict:
    """The same figures, counted the plain way, row by row in Python."""
    active = list(Agency.objects.filter(status="active"))
    services = [s for s in Service.objects.all() if s.status != "archived"]
    asks_id = {s.pk for s in services if s.documents.filter(is_id_card_copy=True).exists()}
    asks_house = {
        s.pk for s in services if s.documents.filter(is_house_registration_copy=True).exists()
    }
    latest = {}
    for r in SurveyResponse.objects.filter(status="submitted").order_by("submitted_at", "pk"):
        latest[r.agency_id] = r
    return {
        "agencies": len(active),
        "registered": len({r.agency_id for r in Registration.objects.filter(status="activated")}),
        "points": ServicePoint.objects.filter(status="published").count(),
        "pinned_agencies": len(
            {p.agency_id for p in ServicePoint.objects.filter(status="published")}
        ),
        "surveyed": len(latest),
        "paths": {
            p: sum(1 for r in latest.values() if recommend(r).path == p) for p in sources.PATHS
        },
        "processes": len(services),
        "asking_id_card": len(asks_id),
        "asking_house_registration": len(asks_house),
        "copy_free_agencies": sum(
            1
            for a in active
            if any(s.agency_id == a.pk for s in services)
            and not any(s.agency_id == a.pk and s.pk in asks_id | asks_house for s in services)
        ),
    }


def test_national_figures_equal_an_independent_count(world):
    total = selectors.national()
    expected = independent_national()
    for name, value in expected.items():
        assert getattr(total, name) == value, name
    assert total.agencies == 6 and total.points == 4 and total.surveyed == 2
    assert total.paths["online_dopa"] == 1 and total.paths["offline"] == 1
    assert (
        total.processes == 4 and total.asking_id_card == 2 and total.asking_house_registration == 1
    )
    assert total.copy_free_agencies == 1  # d2: one process, asks for no copy


def test_ministry_rows_add_up_to_the_nation(world):
    rows, total = selectors.report(selectors.Level("nation"))
    assert {r.agency.code for r in rows} == {"m-interior", "m-finance"}
    interior = next(r for r in rows if r.agency.code == "m-interior")
    assert (interior.agencies, interior.registered, interior.points) == (3, 2, 3)
    assert total.points == sum(r.points for r in rows)


def test_drill_down_ministry_to_department_to_unit(world):
    rows, total = selectors.report(selectors.level_for(world.m1))
    by_code = {r.agency.code: r for r in rows}
    assert set(by_code) == {"m-interior", "d-dopa"}
    assert by_code["d-dopa"].agencies == 2  # the department and its unit
    assert by_code["d-dopa"].processes == 3
    rows, _total = selectors.report(selectors.level_for(world.d1))
    by_code = {r.agency.code: r for r in rows}
    assert by_code["u-district"].points == 2
    assert by_code["d-dopa"].points == 1
    assert rows[0].agency.code == "d-dopa"  # its own office first


def test_provinces_count_published_points(world):
    rows, total = selectors.provinces()
    bangkok = next(r for r in rows if r.key == "10")
    assert bangkok.points == 4 and bangkok.pinned_agencies == 3
    assert bangkok.copy_free_points == 1  # d2's point
    assert len(rows) == 77
    one, one_total = selectors.province_report(code="10")
    assert one_total.points == 4 and {r.agency.code for r in one} == {"m-interior", "m-finance"}
    assert selectors.province_report(code="99") is None


def test_dashboard_moves_right_after_a_survey_is_submitted(world):
    assert selectors.national().surveyed == 2
    submit_survey(world.d2, world.round, q1_system="yes")
    total = selectors.national()
    assert total.surveyed == 3 and total.paths["online_ega"] == 1


def test_dashboard_moves_right_after_a_copy_is_removed(world, django_capture_on_commit_callbacks):
    before = selectors.national()
    service = Service.objects.get(agency=world.u1, code="b")
    with django_capture_on_commit_callbacks(execute=True):
        make_service(agency=world.u1, service=service, code="b", documents=[ID_ORIGINAL])
    after = selectors.national()
    assert after.asking_id_card == before.asking_id_card - 1
    assert not RequiredDocument.objects.filter(service=service, is_id_card_copy=True).exists()


def test_stopped_counts_a_process_the_survey_had_ticked(world, django_capture_on_commit_callbacks):
    from readiness.models import SurveyProcessRow

    service = Service.objects.get(agency=world.u1, code="b")
    response = SurveyResponse.objects.get(agency=world.u1)
    SurveyProcessRow.objects.create(
        response=response, service=service, service_name="b", needs_id_card_copy=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_service(agency=world.u1, service=service, code="b", documents=[ID_ORIGINAL])
    total = selectors.national()
    assert total.stopped_id_card == 1 and total.stopped_any == 1
    assert total.asked_before == total.asking_any + 1


def test_a_published_version_that_dropped_the_copy_counts_as_stopped(
    world, django_capture_on_commit_callbacks
):
    from manual.services import service_publish

    with django_capture_on_commit_callbacks(execute=True):
        service = make_service(agency=world.d1, code="z")
        service_publish(service=service, by=None)
        make_service(agency=world.d1, service=service, code="z", documents=[ID_ORIGINAL])
        service_publish(service=service, by=None)
    rows, _ = selectors.report(selectors.level_for(world.d1))
    own = next(r for r in rows if r.agency.pk == world.d1.pk)
    assert own.stopped_id_card == 1 and own.stopped_house_registration == 1
    assert own.asking_any == 0


def test_points_move_right_after_publishing(world):
    PublishedPointFactory(agency=world.u2, province_code="50")
    total = selectors.national()
    assert total.points == 5 and total.pinned_agencies == 4


def test_archived_agencies_and_archived_services_do_not_count(
    world, django_capture_on_commit_callbacks
):
    service = Service.objects.get(agency=world.u1, code="a")
    with django_capture_on_commit_callbacks(execute=True):
        service.archive()
        service.save()
    assert selectors.national().processes == 3


def test_path_expression_matches_readiness_recommend_for_every_answer(db, world):
    r = SurveyResponse
    combos = itertools.product(
        [*r.InfoSystem.values, ""], [*r.Mou.values, ""], [*r.Linkage.values, ""]
    )
    agency = world.u2
    for q1, q5, q6 in combos:
        response = submit_survey(agency, world.round, q1_system=q1, q5_mou=q5, q6_linkage=q6)
        annotated = (
            SurveyResponse.objects.filter(pk=response.pk)
            .annotate(path=sources.readiness_path_expression())
            .get()
        )
        assert annotated.path == recommend(response).path, (q1, q5, q6)
        response.delete()


def test_checklist_says_what_is_missing(world):
    steps = {s.key: s for s in selectors.agency_checklist(agency=world.u1)}
    assert steps["registered"].done and steps["pinned"].done and steps["surveyed"].done
    assert not steps["copies"].done
    assert "2" in steps["copies"].missing
    assert steps["copies"].url
    d2 = {s.key: s for s in selectors.agency_checklist(agency=world.d2)}
    assert d2["copies"].done and not d2["surveyed"].done


def test_timeline_measures_each_activity(world):
    phases = selectors.timeline()
    assert len(phases) == 1
    items = phases[0]["activities"]
    assert [i.activity.measure for i in items] == [
        "registered",
        "pinned",
        "surveyed",
        "copies_stopped",
    ]
    assert items[1].value == 4 and items[1].target == 40_000
    assert items[0].value == 3 and items[0].target == 6
    assert all(i.state == "overdue" for i in items)  # 2018's windows are closed


@pytest.mark.parametrize("level_agency", ["nation", "m1", "d1"])
def test_each_report_costs_a_fixed_number_of_queries(
    world, django_assert_max_num_queries, level_agency
):
    agency = None if level_agency == "nation" else getattr(world, level_agency)
    with django_assert_max_num_queries(6):
        selectors.report(selectors.level_for(agency))


def test_checklist_survey_step_says_closed_with_dates_when_no_round_is_open(world):
    import datetime

    from django.utils import translation

    from readiness.models import SurveyRound
    from readiness.tests.factories import SurveyRoundFactory

    today = timezone.localdate()
    SurveyRound.objects.update(closes_on=today - datetime.timedelta(days=90))  # world's round
    SurveyRoundFactory(
        name_en="Last round",
        opens_on=today - datetime.timedelta(days=60),
        closes_on=today - datetime.timedelta(days=30),
    )
    with translation.override("en"):
        step = {s.key: s for s in selectors.agency_checklist(agency=world.d2)}["surveyed"]
        assert step.closed and step.url is None and not step.done
        assert "not open now" in step.missing and "Last round" in step.missing
        assert "No next round has been scheduled yet." in step.missing
        SurveyRoundFactory(
            name_en="Next round",
            opens_on=datetime.date(today.year + 1, 3, 1),
            closes_on=datetime.date(today.year + 1, 3, 31),
        )
        step = {s.key: s for s in selectors.agency_checklist(agency=world.d2)}["surveyed"]
        assert f"Next round, opens on 1 March {today.year + 1}" in step.missing
    with translation.override("th"):
        step = {s.key: s for s in selectors.agency_checklist(agency=world.d2)}["surveyed"]
        assert f"1 มีนาคม {today.year + 1 + 543}" in step.missing


def test_checklist_survey_step_links_to_the_open_round(world):
    step = {s.key: s for s in selectors.agency_checklist(agency=world.d2)}["surveyed"]
    assert not step.closed and step.url == "/my-agency/readiness/"
    assert (
        step.missing == "The readiness survey has not been submitted yet." or "ยัง" in step.missing
    )
