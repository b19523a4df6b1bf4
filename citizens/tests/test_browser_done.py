# mypy: ignore-errors
"""Issue 14's "done when", end to end as script/server runs it: the portal (runserver, dev
settings, its own SQLite), its task worker, and the demo GDX provider and consumer nodes as
separate processes on loopback; Chromium drives the citizen's side.

A citizen signs in through the demo OpenID provider, an exchange about them goes through the
demo GDX network, it appears under "who read my data", verify says it holds, a tampered proof
does not; the complaint and the feedback answer they gave earlier are in their export.
"""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from citizens import demo_provider
from core.tests.browser import PHONE_390, assert_accessible
from exchange import demo

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{proc.args} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    var = tmp_path_factory.mktemp("me-var")
    port, prov_port, cons_port = _free_port(), _free_port(), _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GDX_HUB_KEY_FILE")}
    env.update(
        CITIZENINFO_VAR_DIR=str(var),
        DJANGO_SETTINGS_MODULE="citizeninfo.settings.dev",
        PUBLIC_BASE_URL=base,
        DEBUG="0",
        PYTHONUNBUFFERED="1",
    )

    def manage(*args: str) -> None:
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)

    manage("migrate", "--noinput", "-v", "0")
    manage("demo_data", "--once", "--force")
    manage(
        "gdx_demo_setup",
        f"--hub-url={base}",
        f"--provider-port={prov_port}",
        f"--consumer-port={cons_port}",
    )
    logs = tmp_path_factory.mktemp("me-logs")
    commands = {
        "portal": [PY, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        "worker": [PY, "manage.py", "db_worker", "--interval", "0.3", "--no-reload", "--no-startup-delay"],
        **{
            member: [PY, "-m", "agency_node", "serve", "--config", str(var / "gdx-nodes" / f"{member}.json")]
            for member in (demo.PROVIDER, demo.CONSUMER)
        },
    }  # fmt: skip
    procs = {}
    try:
        for name, command in commands.items():
            out = open(logs / f"{name}.log", "wb")  # noqa: SIM115
            procs[name] = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        _wait(f"{base}/healthz", procs["portal"])
        _wait(f"http://127.0.0.1:{prov_port}/healthz", procs[demo.PROVIDER])
        _wait(f"http://127.0.0.1:{cons_port}/healthz", procs[demo.CONSUMER])
        yield {"base": base, "var": var, "env": env, "logs": logs}
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _exchange_about(stack, citizen_id: str) -> None:
    """The land office asks the civil registry about the citizen through the demo network."""
    run = subprocess.run(
        [
            PY, "-m", "agency_node", "request",
            "--config", str(stack["var"] / "gdx-nodes" / f"{demo.CONSUMER}.json"),
            "--type", "person_record", "--citizen-id", citizen_id,
            "--purpose", demo.PURPOSE, "--officer", "officer-0042",
        ],
        cwd=ROOT, env=stack["env"], capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr


def _published_point(stack) -> int:
    with sqlite3.connect(stack["var"] / "db.sqlite3") as db:
        row = db.execute(
            "SELECT id FROM service_points_servicepoint WHERE status = 'published' ORDER BY id LIMIT 1"
        ).fetchone()
    return row[0]


def _mailed_code(stack, to: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in sorted((stack["var"] / "mail").glob("*.log")):
            text = path.read_text(encoding="utf-8", errors="replace")
            if f"To: {to}" in text:
                digits = [w.strip(".") for w in text.split() if w.strip(".").isdigit()]
                codes = [d for d in digits if len(d) == 6]
                if codes:
                    return codes[-1]
        time.sleep(0.3)
    raise AssertionError("no code was mailed")


@pytest.fixture
def page(_playwright_browser, stack):
    context = _playwright_browser.new_context(
        viewport=PHONE_390, locale="th-TH", service_workers="block", reduced_motion="reduce"
    )
    context.route(
        lambda url: not url.startswith(stack["base"]) and not url.startswith("data:"),
        lambda route: route.abort(),
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.csp_errors = []
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


def _give_feedback(page, base: str, point: int, email: str) -> None:
    page.goto(f"{base}/f/{point}/")
    page.locator("select[name=service]").select_option(index=1)
    for name in ("overall", "process", "staff", "facilities", "outcome"):
        page.locator(f"input[name={name}][value='4']").check()
    page.locator("input[name=asked_for_copy][value='no']").check()
    page.fill("textarea[name=comment]", "เจ้าหน้าที่บริการดี ไม่ต้องใช้สำเนา")
    page.fill("input[name=contact_email]", email)
    page.get_by_role("button", name="ส่งแบบประเมิน").click()
    assert page.get_by_role("heading", level=1).inner_text() == "ขอบคุณที่ร่วมแสดงความคิดเห็น"


def _file_complaint(page, base: str, point: int, email: str) -> str:
    page.goto(f"{base}/complaints/new/?point={point}")
    page.locator("select[name=category]").select_option(index=1)
    page.fill("textarea[name=description]", "รอคิวนานเกินสองชั่วโมง")
    page.fill("input[name=reporter_email]", email)
    page.get_by_role("button", name="ส่งเรื่องร้องเรียน").click()
    page.wait_for_url("**/complaints/follow/**")
    return page.url


def test_done_when(page, stack):
    base = stack["base"]
    person = demo_provider.demo_citizens()[0]
    email = "somchai.demo@example.com"

    # Earlier in the same visit, without an account: a feedback answer and a complaint.
    point = _published_point(stack)
    _give_feedback(page, base, point, email)
    after_complaint = _file_complaint(page, base, point, email)
    assert "/complaints/" in after_complaint

    # Sign in through the local OpenID provider (discovery, PKCE, signed ID token).
    page.goto(f"{base}/me/")
    assert_accessible(page)
    page.click("#thaid-sign-in")
    page.wait_for_url("**/demo-thaid/authorize**")
    page.check(f"input[name=pid][value='{person.pid}']")
    page.click("button[value=allow]")
    page.wait_for_url(f"{base}/me/")
    assert person.name_th in page.content()
    assert_accessible(page)

    # An exchange about this citizen through the demo GDX network.
    _exchange_about(stack, person.pid)
    page.goto(f"{base}/me/readings/")
    assert_accessible(page)
    rows = page.locator("li.reading")
    assert rows.count() >= 1
    assert "land-title-transfer" in rows.first.text_content()
    rows.first.locator("[data-verify-index]").click()
    result = rows.first.locator(".reading-result")
    result.filter(has_text="(holds)").wait_for()
    # Chromium checks the hub's Ed25519 signature too: the full message, not the fallback.
    assert result.text_content().startswith("ถูกต้อง (holds): รายการนี้อยู่ในบันทึก")

    # Tampered proof data: one byte of the leaf changed on its way to the browser.
    def tamper(route):
        response = route.fetch()
        proof = response.json()
        leaf = proof["leaf"]
        proof["leaf"] = ("B" if leaf[0] != "B" else "C") + leaf[1:]
        route.fulfill(response=response, body=json.dumps(proof))

    page.route("**/me/readings/*/proof.json", tamper)
    page.reload()
    rows = page.locator("li.reading")
    rows.first.locator("[data-verify-index]").click()
    rows.first.locator(".reading-result").filter(has_text="(does not hold)").wait_for()
    page.unroute("**/me/readings/*/proof.json")

    # Link the email given earlier with the mailed code; the records appear.
    page.goto(f"{base}/me/contacts/")
    page.fill("input[name=value]", email)
    page.click("form.panel button[type=submit]")
    page.wait_for_url("**/confirm/")
    page.fill("input[name=code]", _mailed_code(stack, email))
    page.click("form.panel button[type=submit]")
    page.wait_for_url(f"{base}/me/records/")
    assert_accessible(page)
    records = page.content()
    assert "รอคิว" not in records  # the list shows states, not the text
    reference = page.locator("table a").first.text_content().strip()

    # The export holds the complaint and the answer made earlier in this test.
    export = page.request.get(f"{base}/me/export.json").json()
    assert [c["reference"] for c in export["complaints"]] == [reference]
    assert export["complaints"][0]["description"] == "รอคิวนานเกินสองชั่วโมง"
    assert export["feedback"][0]["comment"] == "เจ้าหน้าที่บริการดี ไม่ต้องใช้สำเนา"
    assert any(r["purpose"] == demo.PURPOSE for r in export["readings_of_my_data"])
    pdf = page.request.get(f"{base}/me/export.pdf")
    assert pdf.status == 200 and pdf.body()[:4] == b"%PDF"
