"""The installable app in Chromium on a 390×844 phone (issue 22): the worker controls the page,
and the Manual page and the nearby points the citizen opened stay readable offline."""

import re

import pytest
from playwright.sync_api import expect

from core.tests.browser import PHONE_390, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def app_page(_playwright_browser, live_server):
    """Like core.tests.browser.browser_page, but with service workers allowed."""
    context = _playwright_browser.new_context(
        viewport=PHONE_390, locale="th-TH", service_workers="allow", reduced_motion="reduce"
    )
    context.route(
        lambda url: not url.startswith(live_server.url) and not url.startswith("data:"),
        lambda route: route.abort(),
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.csp_errors = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda msg: (
            page.csp_errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    context.close()


def _controlled(page) -> None:
    page.evaluate("() => navigator.serviceWorker.ready")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def test_the_worker_controls_the_page_and_the_manifest_is_linked(app_page, live_server):
    page = app_page
    page.goto(live_server.url + "/")
    _controlled(page)
    manifest = page.evaluate(
        """async () => {
             const link = document.querySelector('link[rel=manifest]');
             return (await fetch(link.href)).json();
           }"""
    )
    assert manifest["display"] == "standalone" and manifest["lang"] == "th"
    for icon in manifest["icons"]:
        assert page.request.get(live_server.url + icon["src"]).ok, icon["src"]
    assert page.locator('meta[name="theme-color"]').get_attribute("content") == "#0b3d91"
    expect(page.locator("#offline-banner")).to_be_hidden()
    assert_accessible(page)


def test_a_visited_manual_page_and_the_nearby_points_read_offline(app_page, live_server, agency_a):
    from manual.tests.factories import make_published
    from service_points.tests.factories import PublishedPointFactory

    service = make_published(agency=agency_a)
    PublishedPointFactory(
        agency=agency_a, name_th="ศูนย์ราชการใกล้บ้าน", latitude=13.75, longitude=100.49
    )
    page = app_page
    page.goto(live_server.url + "/")
    _controlled(page)
    page.goto(f"{live_server.url}/manual/{service.pk}/")
    page.goto(live_server.url + "/service-points/near/?lat=13.7501&lon=100.4901")
    expect(page.get_by_text("ศูนย์ราชการใกล้บ้าน")).to_be_visible()
    page.wait_for_timeout(300)  # the worker keeps its copy after answering

    page.context.set_offline(True)
    try:
        page.goto(f"{live_server.url}/manual/{service.pk}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("การทำบัตรประจำตัวประชาชน")
        banner = page.locator("#offline-banner")
        expect(banner).to_be_visible()
        expect(banner).to_have_text(re.compile(r"^ออฟไลน์ — ข้อมูล ณ วันที่ .*25\d\d"))
        # The shell came from the phone's cache: the site's CSS is applied.
        colour = page.evaluate(
            "() => getComputedStyle(document.querySelector('.site-header')).backgroundColor"
        )
        assert colour == "rgb(11, 61, 145)"
        assert_accessible(page)

        # "Near me" offline shows the last nearby list, whatever position is asked.
        page.goto(live_server.url + "/service-points/near/")
        expect(page.get_by_text("ศูนย์ราชการใกล้บ้าน")).to_be_visible()
        expect(banner).to_be_visible()
    finally:
        page.context.set_offline(False)


ANDROID = "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (ANDROID, "geo:13.756300,100.501800?q=13.756300,100.501800("),
        (IPHONE, "https://maps.apple.com/?daddr=13.756300,100.501800&q="),
        (None, "https://www.google.com/maps/dir/?api=1&destination=13.756300%2C100.501800"),
    ],
)
def test_navigate_opens_the_phones_own_map_app(
    _playwright_browser, live_server, agency_a, agent, expected
):
    from service_points.tests.factories import PublishedPointFactory

    point = PublishedPointFactory(agency=agency_a, latitude=13.7563, longitude=100.5018)
    options = {"user_agent": agent} if agent else {}
    context = _playwright_browser.new_context(
        viewport=PHONE_390, locale="th-TH", service_workers="block", **options
    )
    context.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/service-points/{point.pk}/")
        link = page.get_by_role("link", name="นำทาง")
        page.wait_for_load_state("load")
        assert link.get_attribute("href").startswith(expected)
    finally:
        context.close()


def test_the_worker_fetches_only_what_the_feedback_page_already_loaded(
    app_page, live_server, agency_a
):
    """The first visit's weight: the worker's shell is the files the QR page loads anyway, so
    with production's far-future cache headers its install is served from the HTTP cache. The
    one page it fetches besides is the small "kept on this phone" page (ADR 0091)."""
    from service_points.tests.factories import PublishedPointFactory

    point = PublishedPointFactory(agency=agency_a)
    page = app_page
    by_page, by_worker = {}, {}

    def finished(request):
        sizes = request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        (by_worker if request.service_worker else by_page)[request.url] = size

    page.context.on("requestfinished", finished)
    page.goto(f"{live_server.url}/f/{point.pk}/")
    _controlled(page)  # the worker has installed and fetched the shell
    page.wait_for_timeout(300)
    assert not [url for url in by_page if "htmx" in url]
    waiting = f"{live_server.url}/f/waiting/"
    assert by_worker.pop(waiting) < 8_000
    shell = {url for url in by_worker if not url.endswith("/sw.js")}
    assert shell and shell <= set(by_page), shell - set(by_page)


def test_starred_points_and_services_are_kept_on_the_phone_and_shown_at_home(
    browser_page, live_server, agency_a
):
    from manual.tests.factories import make_published
    from service_points.tests.factories import PublishedPointFactory

    service = make_published(agency=agency_a)
    point = PublishedPointFactory(agency=agency_a, name_th="ศูนย์ราชการที่ชอบ")
    page = browser_page
    page.set_viewport_size(PHONE_390)
    page.goto(live_server.url + "/")
    expect(page.locator("#saved")).to_be_hidden()  # nothing saved yet

    page.goto(f"{live_server.url}/service-points/{point.pk}/")
    star = page.get_by_role("button", name="บันทึกไว้ในเครื่องนี้")
    expect(star).to_have_attribute("aria-pressed", "false")
    star.click()
    expect(star).to_have_attribute("aria-pressed", "true")
    assert star.bounding_box()["height"] >= 44
    assert_accessible(page)
    page.goto(f"{live_server.url}/manual/{service.pk}/")
    page.get_by_role("button", name="บันทึกไว้ในเครื่องนี้").click()

    page.goto(live_server.url + "/")
    saved = page.get_by_role("region", name="ที่บันทึกไว้ในเครื่องนี้")
    expect(saved.get_by_role("link")).to_have_text(["การทำบัตรประจำตัวประชาชน", "ศูนย์ราชการที่ชอบ"])
    assert_accessible(page)

    saved.get_by_role("link", name="ศูนย์ราชการที่ชอบ").click()
    star = page.get_by_role("button", name="บันทึกไว้ในเครื่องนี้")
    expect(star).to_have_attribute("aria-pressed", "true")
    star.click()  # un-star
    page.goto(live_server.url + "/")
    expect(saved.get_by_role("link")).to_have_text(["การทำบัตรประจำตัวประชาชน"])


def _answer_the_questions(page) -> None:
    page.get_by_label("ท่านมารับบริการใด").select_option(label="อื่น ๆ")
    for group in page.get_by_role("group").all():
        group.get_by_role("radio").first.check()


def test_an_answer_given_offline_waits_on_the_phone_and_is_stored_once_back_online(
    app_page, live_server, agency_a
):
    from feedback.models import Response
    from service_points.tests.factories import PublishedPointFactory

    point = PublishedPointFactory(agency=agency_a)
    page = app_page
    page.goto(f"{live_server.url}/f/{point.pk}/")
    _controlled(page)  # on the first visit too: the worker claims the page once installed
    _answer_the_questions(page)
    submission = page.locator("input[name=submission]").input_value()
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", submission
    )

    page.context.set_offline(True)
    page.get_by_role("button", name="ส่งแบบประเมิน").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("คำตอบของท่านเก็บไว้ในเครื่องนี้แล้ว")
    state = page.locator("#answer-queue")
    expect(state).to_have_text("รอสัญญาณเครือข่าย: ยังไม่ได้ส่ง")
    assert_accessible(page)
    assert not Response.objects.exists()

    page.context.set_offline(False)
    expect(state).to_have_text("ส่งแล้ว ขอบคุณที่ร่วมแสดงความคิดเห็น", timeout=20_000)
    stored = Response.objects.get()
    assert (str(stored.submission), stored.status) == (submission, Response.Status.ACCEPTED)

    # Delivered again (a late Background Sync, a reply lost on the way): still one answer.
    page.evaluate(
        """id => new Promise((resolve, reject) => {
             const opening = indexedDB.open('ci-app');
             opening.onerror = reject;
             opening.onsuccess = () => {
               const store = opening.result.transaction('answers', 'readwrite').objectStore('answers');
               const read = store.get(id);
               read.onsuccess = () => {
                 const put = store.put({ ...read.result, state: 'waiting' });
                 put.onsuccess = resolve;
                 put.onerror = reject;
               };
             };
           })""",
        submission,
    )
    state.evaluate("node => { node.textContent = ''; }")
    page.evaluate("() => navigator.serviceWorker.controller.postMessage({ type: 'answers' })")
    expect(state).to_have_text("ส่งแล้ว ขอบคุณที่ร่วมแสดงความคิดเห็น")
    assert Response.objects.count() == 1


def test_on_a_slow_network_the_phones_copy_is_shown_dated_and_the_newer_one_offered(
    app_page, live_server, agency_a, monkeypatch
):
    """A kept page waits PAGE_DEADLINE_MS for the network (here 0: the network is always
    "slow"), then shows the phone's copy, says so with its date, and offers the newer copy."""
    from core import views
    from service_points.tests.factories import PublishedPointFactory

    monkeypatch.setattr(views, "PAGE_DEADLINE_MS", 0)
    point = PublishedPointFactory(agency=agency_a, name_th="ศูนย์บริการชื่อเดิม")
    url = f"{live_server.url}/service-points/{point.pk}/"
    page = app_page
    page.goto(url)
    _controlled(page)
    page.reload()  # the worker keeps its copy of the page
    expect(page.get_by_role("heading", level=1)).to_contain_text("ศูนย์บริการชื่อเดิม")
    page.wait_for_function(
        """async url => !!(await (await caches.open('ci-pages-v1')).match(url))""", arg=url
    )
    type(point).objects.filter(pk=point.pk).update(name_th="ศูนย์บริการชื่อใหม่")

    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("ศูนย์บริการชื่อเดิม")
    banner = page.locator("#offline-banner")
    expect(banner).to_have_text(re.compile(r"^(เครือข่ายช้า|ข้อมูลล่าสุดมาถึงแล้ว)"))
    show = banner.get_by_role("button", name="แสดงข้อมูลล่าสุด")
    show.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ศูนย์บริการชื่อใหม่")
    assert_accessible(page)
