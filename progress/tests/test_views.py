import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory

ROLES = ["anonymous", "officer_a", "admin_a", "ega_admin", "overseer", "officer_b"]


@pytest.fixture
def users(role_users, officer_b):
    return {**role_users, "officer_b": officer_b}


def _get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


# Who may see what: (url name, kwargs) → status per role. agency_a is the page's agency.
def _cases(world_codes):
    own = {"code": "agency-a"}
    return [
        ("progress:public", {}, dict.fromkeys(ROLES, 200)),
        ("progress:dashboard", {}, {**dict.fromkeys(ROLES, 200), "anonymous": 302}),
        ("progress:provinces", {}, {**dict.fromkeys(ROLES, 200), "anonymous": 302}),
        ("progress:province", {"code": "10"}, {**dict.fromkeys(ROLES, 200), "anonymous": 302}),
        (
            "progress:group",
            {"code": world_codes["ministry"]},
            {**dict.fromkeys(ROLES, 200), "anonymous": 302},
        ),
        (
            "progress:agency",
            own,
            {
                "anonymous": 302,
                "officer_a": 200,
                "admin_a": 200,
                "ega_admin": 200,
                "overseer": 200,
                "officer_b": 404,
            },
        ),
        (
            "progress:agency_export",
            {**own, "kind": "xlsx"},
            {
                "anonymous": 302,
                "officer_a": 200,
                "admin_a": 200,
                "ega_admin": 200,
                "overseer": 200,
                "officer_b": 404,
            },
        ),
        ("progress:export", {"kind": "xlsx"}, {**dict.fromkeys(ROLES, 200), "anonymous": 302}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_what(client, users, agency_a, role):
    codes = {"ministry": agency_a.parent.code}
    for name, kwargs, expected in _cases(codes):
        client.logout()
        response = _get(client, users[role], reverse(name, kwargs=kwargs))
        assert response.status_code == expected[role], (name, role, response.status_code)


def test_pdf_exports_follow_the_same_rules(client, users, agency_a):
    own_pdf = reverse("progress:agency_export", kwargs={"code": "agency-a", "kind": "pdf"})
    assert _get(client, users["officer_b"], own_pdf).status_code == 404
    client.logout()
    assert _get(client, None, reverse("progress:export", kwargs={"kind": "pdf"})).status_code == 302
    response = _get(client, users["overseer"], own_pdf)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_unknown_export_kind_is_not_found(client, overseer):
    client.force_login(overseer)
    assert client.get(reverse("progress:export", kwargs={"kind": "csv"})).status_code == 404


def test_officer_sees_aggregates_of_others_but_no_link_to_their_units(client, world):
    officer = UserFactory(agency=world.u2)
    client.force_login(officer)
    page = client.get(reverse("progress:group", kwargs={"code": world.d1.code})).content.decode()
    assert "ที่ว่าการอำเภอเมือง" in page
    assert reverse("progress:agency", kwargs={"code": world.u1.code}) not in page
    assert client.get(reverse("progress:agency", kwargs={"code": world.u1.code})).status_code == 404
    # …and the national Excel file has no per-agency sheet for them.
    import io

    from openpyxl import load_workbook

    book = load_workbook(
        io.BytesIO(client.get(reverse("progress:export", kwargs={"kind": "xlsx"})).content)
    )
    assert "หน่วยงาน" not in book.sheetnames and "Agencies" not in book.sheetnames


def test_department_staff_see_their_units_detail(client, world):
    client.force_login(UserFactory(agency=world.d1))
    assert client.get(reverse("progress:agency", kwargs={"code": world.u1.code})).status_code == 200
    assert client.get(reverse("progress:agency", kwargs={"code": world.u2.code})).status_code == 404


def test_unit_in_group_url_goes_to_its_page(client, world, overseer):
    client.force_login(overseer)
    response = client.get(reverse("progress:group", kwargs={"code": world.u1.code}))
    assert response.status_code == 302
    assert response["Location"] == reverse("progress:agency", kwargs={"code": world.u1.code})


def test_dashboard_shows_the_counted_figures(
    client, world, overseer, django_assert_max_num_queries
):
    client.force_login(overseer)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("progress:dashboard"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "กระทรวงมหาดไทย" in page and "กระทรวงการคลัง" in page
    assert "<svg" in page and "<table" in page
    assert 'style="' not in page and "<script>" not in page
    assert reverse("progress:group", kwargs={"code": world.m1.code}) in page


@pytest.mark.parametrize("name", ["group", "agency"])
def test_drill_down_pages_query_counts(
    client, world, overseer, django_assert_max_num_queries, name
):
    client.force_login(overseer)
    code = world.m1.code if name == "group" else world.u1.code
    with django_assert_max_num_queries(25):
        response = client.get(reverse(f"progress:{name}", kwargs={"code": code}))
    assert response.status_code == 200


def test_agency_page_lists_what_is_missing_with_links(client, world):
    client.force_login(UserFactory(agency=world.u1))
    response = client.get(reverse("progress:mine"), follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse(
        "progress:agency", kwargs={"code": "u-district"}
    )
    assert "ยังขอสำเนา" in page or "2" in page
    assert reverse("manual:workspace") in page


@pytest.mark.parametrize("who", ["ega_admin", "overseer"])
def test_overseers_get_no_dead_do_it_now_links_on_an_agencys_page(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("progress:agency", kwargs={"code": "u-district"})).content.decode()
    checklist = page.split('id="checklist-title"')[1].split("</section>")[0]
    assert "/my-agency/" not in checklist and "/manual/manage/" not in checklist
    people = reverse("agencies:people", kwargs={"code": "u-district"})
    assert people in checklist
    assert client.get(people).status_code == 200


def test_public_page_has_aggregates_only(client, world):
    page = client.get(reverse("progress:public")).content.decode()
    assert "ที่ว่าการอำเภอเมือง" not in page and "กระทรวงมหาดไทย" not in page
    assert "CC BY 4.0" in page


def test_province_unknown_is_404(client, overseer):
    client.force_login(overseer)
    assert client.get(reverse("progress:province", kwargs={"code": "99"})).status_code == 404


def test_overseer_gets_every_agency_in_the_excel_file(client, world, overseer):
    import io

    from openpyxl import load_workbook

    client.force_login(overseer)
    response = client.get(reverse("progress:export", kwargs={"kind": "xlsx"}))
    book = load_workbook(io.BytesIO(response.content))
    assert (
        len(book.sheetnames) == 6
    )  # ministries, provinces, schedule, complaints, copies vs plan, agencies
    agencies = book[book.sheetnames[-1]]
    names = [row[0].value for row in agencies.iter_rows(min_row=2)]
    assert "ที่ว่าการอำเภอเมือง" in names and len(names) == 6
    ministries = book[book.sheetnames[0]]
    header = [c.value for c in ministries[1]]
    last = [c.value for c in list(ministries.iter_rows())[-1]]
    assert last[header.index(header[4])] == 4  # points in the total row


def test_api_gives_national_aggregates(client, world):
    data = client.get("/api/progress/national").json()
    assert data["points"] == 4 and data["point_target"] == 40_000 and data["surveyed"] == 2
    provinces = client.get("/api/progress/provinces").json()
    assert next(p for p in provinces if p["code"] == "10")["points"] == 4
