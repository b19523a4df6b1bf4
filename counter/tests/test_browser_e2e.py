# mypy: ignore-errors
"""A citizen served at the counter end to end, in Chromium: the portal (runserver), the GDX
demo network (provider and consumer nodes) and the local card-reader service with a simulated
card run as separate processes over loopback, as on an officer's PC.

1. A DOPA officer pairs with the reader service, reads the card, sees the photo, saves the
   record; 2. a land-office officer asks GDX for the person record and saves a record with the
   hub's log index and inclusion proof; 3. both find the record and the copies-avoided figure.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from core.tests.browser import PHONE, assert_accessible
from exchange import demo

pytestmark = [pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
PASSWORD = "demo-citizeninfo-2569"


def _ports(n: int) -> list[int]:
    base = os.environ.get("COUNTER_E2E_PORT_BASE")
    if base:
        return [int(base) + i for i in range(n)]
    ports = []
    for _ in range(n):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    return ports


def _wait(url: str, proc: subprocess.Popen, seconds: float = 40, headers=None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{proc.args} exited with {proc.returncode}")
        try:
            req = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(req, timeout=1):  # noqa: S310 - loopback
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    var = tmp_path_factory.mktemp("counter-var")
    web, reader, prov, cons = _ports(4)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GDX_HUB_KEY_FILE")}
    env.update(
        CITIZENINFO_VAR_DIR=str(var),
        DJANGO_SETTINGS_MODULE="citizeninfo.settings.dev",
        COUNTER_READER_URL=f"http://127.0.0.1:{reader}",
        PYTHONUNBUFFERED="1",
    )

    def manage(*args: str) -> None:
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)

    manage("migrate", "--noinput", "-v", "0")
    manage("demo_data", "--once")
    manage(
        "gdx_demo_setup",
        f"--hub-url=http://127.0.0.1:{web}",
        f"--provider-port={prov}",
        f"--consumer-port={cons}",
    )
    manage("counter_demo")
    (var / "idcard").mkdir()
    logs = tmp_path_factory.mktemp("counter-logs")
    procs = []

    def start(name, args, url, headers=None):
        out = open(logs / f"{name}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        procs.append(proc)
        _wait(url, proc, headers=headers)

    try:
        for member, port in ((demo.PROVIDER, prov), (demo.CONSUMER, cons)):
            cfg = str(var / "gdx-nodes" / f"{member}.json")
            start(
                member,
                [PY, "-m", "agency_node", "serve", "--config", cfg],
                f"http://127.0.0.1:{port}/healthz",
            )
        origin = f"http://127.0.0.1:{web}"
        start(
            "idcard",
            [PY, "-m", "idcard", "serve", "--simulated", "--port", str(reader), "--origin",
             origin, "--code-file", str(var / "idcard" / "pairing-code")],
            f"http://127.0.0.1:{reader}/status",
            headers={"Origin": origin},
        )  # fmt: skip
        start(
            "web",
            [PY, "manage.py", "runserver", f"127.0.0.1:{web}", "--noreload", "--skip-checks"],
            f"{origin}/healthz",
        )
        yield {"url": origin, "var": var, "logs": logs}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def page(_playwright_browser):
    context = _playwright_browser.new_context(
        viewport={"width": 390, "height": PHONE["height"]}, locale="th-TH", service_workers="block"
    )
    p = context.new_page()
    p.set_default_timeout(20_000)
    p.csp_errors = []
    p.on(
        "console",
        lambda msg: (
            p.csp_errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield p
    context.close()


def _sign_in(page, base, email):
    page.goto(base + "/accounts/sign-in/")
    page.locator("#id_identifier").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(lambda url: "/accounts/sign-in/" not in url)


def _choose_service(page, base, name):
    page.goto(base + "/my-agency/counter/")
    assert page.get_by_role("heading", level=1).inner_text() == "จุดบริการ: ให้บริการโดยไม่ขอสำเนา"
    page.locator("#id_c-service").select_option(label=name)
    page.get_by_role("button", name="เลือก", exact=True).click()
    page.wait_for_url(lambda url: "c-service=" in url)


def test_serving_a_citizen_by_card_and_by_gdx(portal, page):
    base = portal["url"]

    # 1. The card, through the local reader service and its simulated card.
    _sign_in(page, base, "suda@dopa.go.th")
    _choose_service(page, base, "การทำบัตรประจำตัวประชาชนครั้งแรก")
    assert_accessible(page)
    code = (portal["var"] / "idcard" / "pairing-code").read_text().strip()
    assert code in page.locator("#demo-pairing").inner_text()
    page.get_by_label("รหัสจับคู่").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="จับคู่").click()
    page.locator("#card-status").filter(has_text="รหัสจับคู่ไม่ถูกต้อง").wait_for()
    page.get_by_label("รหัสจับคู่").fill(code)
    page.get_by_role("button", name="จับคู่").click()
    page.locator("#card-status").filter(has_text="จับคู่กับบริการอ่านบัตรแล้ว").wait_for()
    page.get_by_role("button", name="อ่านบัตร", exact=True).click()
    page.locator("#card-status").filter(has_text="อ่านบัตรแล้ว").wait_for()
    assert page.locator("#id_name_th").input_value() == "นายสมชาย ใจดี"
    assert len(page.locator("#id_citizen_id").input_value()) == 13
    assert page.locator("#card-photo").is_visible()
    assert page.locator("#card-photo").evaluate("img => img.naturalWidth") > 0
    assert page.locator("#card-expired").is_hidden()
    assert_accessible(page)
    used = {
        f: page.locator(f"#id_{f}").input_value()
        for f in ("citizen_id", "name_th", "name_en", "birth_date", "address")
    }
    page.get_by_role("button", name="บันทึก", exact=True).click()
    page.wait_for_url(lambda url: "/counter/records/" in url)
    assert page.get_by_role("heading", level=1).inner_text() == "บันทึกการตรวจสอบตัวตน"
    assert "อ่านบัตรประชาชนด้วยเครื่องอ่านบัตร" in page.locator("#record-source").inner_text()
    assert "สมชาย" not in page.locator("main").inner_text()  # the record has no personal data
    card_ref = page.locator("#record-reference").inner_text()
    assert_accessible(page)
    # the data typed again match the record's hash; nothing else is kept
    for field, value in used.items():
        page.locator(f"#id_k-{field}").fill(value)
    page.get_by_role("button", name="ตรวจ", exact=True).click()
    assert page.locator("#check-result").inner_text() == "ข้อมูลตรงกับบันทึกนี้"
    assert_accessible(page)
    page.goto(base + "/my-agency/counter/records/")
    assert page.locator("tbody tr").count() == 1
    page.goto(base + "/my-agency/counter/report/")
    assert page.locator("#copies-avoided-total").inner_text() == "1"
    assert_accessible(page)
    page.goto(base + "/progress/agencies/dopa-cmi-muang/")  # the progress report has it too
    assert page.locator("#copies-avoided").inner_text() == "1"

    # 2. GDX, through the land office's own node and the demo provider.
    page.context.clear_cookies()
    _sign_in(page, base, "somsak@dol.go.th")
    _choose_service(page, base, "การจดทะเบียนขายที่ดินมีโฉนด")
    assert "preferred" in page.locator("#gdx-panel").get_attribute("class")
    citizen = demo.sample_citizen_ids(1)[0]
    page.locator("#id_g-citizen_id").fill(citizen)
    page.locator("#id_g-consent").check()
    page.get_by_role("button", name="ขอข้อมูลทะเบียน").click()
    page.locator("#gdx-status").filter(has_text="ได้รับข้อมูลจากทะเบียนแล้ว").wait_for()
    assert page.locator("#id_citizen_id").input_value() == citizen
    assert page.locator("#id_name_th").input_value()
    assert page.locator("#id_consent").is_checked()
    page.get_by_role("button", name="บันทึก", exact=True).click()
    page.wait_for_url(lambda url: "/counter/records/" in url)
    assert "ขอข้อมูลทะเบียนราษฎรผ่าน GDX" in page.locator("#record-source").inner_text()
    index = page.locator("#record-log-index").inner_text()
    assert index.isdigit()
    assert page.get_by_role("link", name="หลักฐานจากศูนย์แลกเปลี่ยน").is_visible()
    assert_accessible(page)
    page.goto(base + "/my-agency/counter/report/")
    assert page.locator("#copies-avoided-total").inner_text() == "1"
    # the other agency's card record is not reachable from here
    assert page.goto(base + f"/counter/records/{card_ref}/").status == 404

    # 3. A refused lookup is a clear message, and nothing is stored.
    _choose_service(page, base, "การจดทะเบียนขายที่ดินมีโฉนด")
    from idcard.simulated import valid_citizen_id

    page.locator("#id_g-citizen_id").fill(valid_citizen_id("999999999999"))
    page.locator("#id_g-consent").check()
    page.get_by_role("button", name="ขอข้อมูลทะเบียน").click()
    page.locator("#gdx-status").filter(has_text="ไม่พบข้อมูล").wait_for()
    page.goto(base + "/my-agency/counter/records/")
    assert page.locator("tbody tr").count() == 1
