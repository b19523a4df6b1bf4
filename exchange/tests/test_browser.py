# mypy: ignore-errors
# (factory_boy and pytest fixtures are untyped; the code under test is checked.)
"""An EGA administrator looks after the GDX hub on a phone: the overview's members, a member's
keys and rights, and the demo exchange page; an agency officer is turned away."""

import datetime
import uuid

import pytest
from django.utils import timezone

from core.tests.browser import assert_accessible
from exchange import demo, services
from exchange.models import DocumentType, Exchange
from exchange.tests.factories import MemberFactory
from gdx_protocol import SigningKey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PURPOSE = "land-title-transfer"


def _sign_in(page, base, user, password):
    page.goto(base + "/accounts/sign-in/")
    page.locator("#id_identifier").fill(user.email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(lambda url: "/accounts/sign-in/" not in url)


def _catalogue():
    """The data migration's document types and log rows, flushed by transactional tests."""
    from exchange.models import DirectoryState, LogState

    for code, name_th in [
        ("person_record", "ข้อมูลทะเบียนราษฎร (บัตรประจำตัวประชาชน)"),
        ("house_registration", "ทะเบียนบ้าน"),
        ("juristic_person", "ข้อมูลนิติบุคคล"),
    ]:
        DocumentType.objects.get_or_create(code=code, defaults={"name_th": name_th})
    LogState.objects.get_or_create(pk=1)
    DirectoryState.objects.get_or_create(pk=1)


@pytest.fixture
def hub(hub_key_file, settings, tmp_path):
    """Two members with keys, a catalogue with a provider, one right and one exchange."""
    from agencies.tests.factories import DepartmentFactory

    settings.VAR_DIR = tmp_path  # no demo node configs from the developer's var/
    _catalogue()
    provider = MemberFactory(
        agency=DepartmentFactory(code="dopa-bora", name_th="สำนักบริหารการทะเบียน"),
        endpoint="https://node.bora.dopa.go.th",
    )
    consumer = MemberFactory(
        agency=DepartmentFactory(code="dol-kkn", name_th="สำนักงานที่ดินจังหวัดขอนแก่น")
    )
    for member in (provider, consumer):
        services.member_key_add(
            member=member,
            use="sig",
            algorithm="ed25519",
            public_key=SigningKey.generate().public_raw,
            by=None,
        )
    person = DocumentType.objects.get(code="person_record")
    person.provider = provider
    person.save()
    services.access_right_grant(consumer=consumer, document_type=person, purpose=PURPOSE, by=None)
    request_id = uuid.uuid4()
    services.log_append(
        data=b'{"x":1}', event="request", request_id=str(request_id), pseudonym="a" * 64
    )
    now = timezone.now()
    Exchange.objects.create(
        request_id=request_id,
        consumer=consumer,
        provider=provider,
        document_type="person_record",
        purpose=PURPOSE,
        officer="officer@dol.go.th",
        subject_pseudonym="a" * 64,
        issued_at=now,
        expires_at=now + datetime.timedelta(minutes=5),
        status=Exchange.Status.DELIVERED,
        request_digest="b" * 64,
    )
    return {"provider": provider, "consumer": consumer}


def test_ega_admin_reads_the_hub_and_a_members_page(
    browser_page, live_server, ega_admin, password, hub
):
    page, base = browser_page, live_server.url
    _sign_in(page, base, ega_admin, password)

    page.goto(base + "/gdx/")
    headings = page.get_by_role("heading", level=1)
    assert headings.count() == 1
    assert headings.inner_text() == "ศูนย์แลกเปลี่ยนข้อมูลภาครัฐ (GDX)"
    members = page.locator("table").first
    assert members.locator("tbody tr").count() == 2
    assert "สำนักบริหารการทะเบียน" in members.inner_text()
    assert "https://node.bora.dopa.go.th" in members.inner_text()
    assert page.get_by_role("link", name="dopa-bora", exact=True).is_visible()
    assert page.get_by_role("link", name="dol-kkn", exact=True).is_visible()
    exchanges = page.locator("table").nth(2)
    assert "officer@dol.go.th" in exchanges.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="dol-kkn", exact=True).click()
    page.wait_for_url(base + "/gdx/members/dol-kkn/")
    headings = page.get_by_role("heading", level=1)
    assert headings.count() == 1
    assert headings.inner_text() == "สมาชิกศูนย์แลกเปลี่ยนข้อมูล: dol-kkn"
    assert "สำนักงานที่ดินจังหวัดขอนแก่น" in page.locator("dl").first.inner_text()
    keys, rights = page.locator("table").nth(0), page.locator("table").nth(1)
    assert keys.locator("tbody tr").count() == 1
    assert keys.get_by_role("button", name="เพิกถอนกุญแจ").is_visible()
    assert rights.locator("tbody tr").count() == 1
    assert PURPOSE in rights.inner_text()
    assert "ข้อมูลทะเบียนราษฎร" in rights.inner_text()
    # The administrator's forms are there, and every control has a name.
    assert page.get_by_role("button", name="เพิ่มกุญแจ").is_visible()
    assert page.get_by_role("heading", name="ให้สิทธิการเข้าถึงข้อมูล").is_visible()
    # Wide tables scroll inside their own box: the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)

    page.get_by_role("link", name="กลับสู่หน้าศูนย์ฯ").click()
    page.wait_for_url(base + "/gdx/")
    page.get_by_role("link", name="dopa-bora", exact=True).click()
    page.wait_for_url(base + "/gdx/members/dopa-bora/")
    assert page.get_by_role("heading", level=1).inner_text().endswith("dopa-bora")
    assert "https://node.bora.dopa.go.th" in page.locator("dl").first.inner_text()
    assert_accessible(page)


def test_demo_page_renders_labelled_whether_or_not_the_nodes_run(
    browser_page, live_server, ega_admin, password, hub, monkeypatch
):
    page, base = browser_page, live_server.url
    _sign_in(page, base, ega_admin, password)

    # No demo node is set up here: the page says so and has no form.
    page.goto(base + "/gdx/demo/")
    assert page.get_by_role("heading", level=1).count() == 1
    assert page.get_by_role("heading", level=1).inner_text() == "ทดลองแลกเปลี่ยนข้อมูล"
    assert page.locator("#id_citizen_id").count() == 0
    assert page.get_by_role("button", name="ขอเอกสาร").count() == 0
    assert_accessible(page)

    # With the nodes set up (their config faked), the form shows with a label for each field.
    monkeypatch.setattr(demo, "load_node_config", lambda member: {"listen_port": 1})
    page.goto(base + "/gdx/demo/")
    assert page.get_by_label("ประเภทเอกสาร").is_visible()
    citizen = page.get_by_label("เลขประจำตัวประชาชน")
    assert citizen.is_visible()
    assert page.locator("#id_purpose").input_value() == demo.PURPOSE
    assert page.get_by_role("button", name="ขอเอกสาร").is_visible()
    assert_accessible(page)

    # A wrong ID is refused on the page, before any node is asked.
    monkeypatch.setattr(demo, "consumer_request", lambda **kw: pytest.fail("must not be called"))
    citizen.fill("12")
    page.get_by_role("button", name="ขอเอกสาร").click()
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#id_citizen_id").get_attribute("aria-invalid") == "true"
    assert_accessible(page)


def test_an_agency_officer_is_refused_the_hub(browser_page, live_server, officer_a, password, hub):
    page, base = browser_page, live_server.url
    _sign_in(page, base, officer_a, password)
    for path in ("/gdx/", "/gdx/members/dol-kkn/", "/gdx/demo/"):
        response = page.goto(base + path)
        assert response.status == 403, path
        assert page.get_by_role("heading", level=1).inner_text() == "ท่านไม่มีสิทธิ์เข้าถึงหน้านี้"
        assert "สำนักบริหารการทะเบียน" not in page.content()
    assert_accessible(page)


def test_ega_adds_a_member_by_uploading_its_certificates_on_a_phone(
    browser_page, live_server, ega_admin, password, hub, tmp_path
):
    """The agency's certificates.json (its identity key and the keys it certified) is the
    whole registration: the member page then shows the fingerprint to compare by phone."""
    import json

    from agencies.tests.factories import DepartmentFactory
    from agency_node.keystore import certify_public_keys
    from gdx_protocol import EncryptionKey

    DepartmentFactory(code="dlt-pkt", name_th="สำนักงานขนส่งจังหวัดภูเก็ต")
    identity = SigningKey.generate()
    keys = [dict(SigningKey.generate().public_info()), dict(EncryptionKey.generate().public_info())]
    path = tmp_path / "certificates.json"
    path.write_text(json.dumps(certify_public_keys(keys, identity, "dlt-pkt")))
    page, base = browser_page, live_server.url
    _sign_in(page, base, ega_admin, password)
    page.goto(base + "/gdx/members/new/")
    page.get_by_role("button", name="เพิ่มสมาชิก").click()  # nothing filled in
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.locator(".error-summary li").count() >= 3  # agency, and both keys or the file
    assert_accessible(page)
    page.get_by_label("รหัสหน่วยงาน").fill("dlt-pkt")
    page.get_by_label("หรืออัปโหลดไฟล์ certificates.json").set_input_files(str(path))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    page.get_by_role("button", name="เพิ่มสมาชิก").click()
    page.wait_for_url(base + "/gdx/members/dlt-pkt/")
    assert identity.kid in page.locator("dl").first.inner_text()
    assert page.locator("table").first.locator("tbody tr").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
