"""Throttled load times of the installable app (issue 22, ADR 0090).

Chromium (Debian's) on a 390×844 phone, DevTools' "Slow 3G" (2 s latency, 50 kB/s each way)
and 4× CPU slowdown through the DevTools protocol. For the home page, a service point's page
and the QR feedback page: a cold first visit, then a repeat visit (a) with only the browser's
HTTP cache (the baseline, service workers blocked) and (b) with the service worker.
"Usable" = the navigation's DOMContentLoaded end; "load" = its load event end; bytes = the
page's own encoded transfer.

The service worker's own requests are throttled too: DevTools emulation is per target, so the
bench attaches to the worker's target and sets the same Slow 3G there (not the CPU slowdown,
which DevTools does not offer for workers). Bytes the worker fetches are reported apart.

Measure what citizens get, a production-like server (hashed, compressed static files with
far-future headers), from the demo database of a `script/server` run (var dir below):
    export DJANGO_SETTINGS_MODULE=citizeninfo.settings.production CITIZENINFO_VAR_DIR=var \
      SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))') \
      PUBLIC_BASE_URL=http://127.0.0.1:8230 ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0
    .venv/bin/python manage.py collectstatic --noinput -v 0
    PORT=8230 WEB_WORKERS=1 script/web &
    .venv/bin/python -m bench.app_load --url http://127.0.0.1:8230 --point 2
"""

import argparse
import json
import time

CHROMIUM = "/usr/bin/chromium"
SLOW_3G = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 50_000,
    "uploadThroughput": 50_000,
}
TIMING = """() => { const n = performance.getEntriesByType('navigation')[0];
  return [n.domContentLoadedEventEnd, n.loadEventEnd]; }"""


def _throttled(context, page):
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    sizes = []
    cdp.on("Network.loadingFinished", lambda event: sizes.append(event["encodedDataLength"]))
    return sizes


def _throttle_workers(browser):
    """Slow 3G for every service worker's own requests (attached through the browser target)."""
    session = browser.new_browser_cdp_session()
    for target in session.send("Target.getTargets")["targetInfos"]:
        if target["type"] != "service_worker":
            continue
        attached = session.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": False}
        )
        for number, (method, params) in enumerate(
            [("Network.enable", {}), ("Network.emulateNetworkConditions", SLOW_3G)], 1
        ):
            message = {"id": number, "method": method, "params": params}
            session.send(
                "Target.sendMessageToTarget",
                {"sessionId": attached["sessionId"], "message": json.dumps(message)},
            )
    time.sleep(0.5)  # the messages are answered asynchronously
    return session


def _visit(page, sizes, url):
    sizes.clear()
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_timeout(200)
    usable, load = page.evaluate(TIMING)
    return usable / 1000, load / 1000, sum(sizes) / 1000


KEPT = """async () => !!(await (await caches.open('ci-pages-v1')).match(location.href))"""


def measure(browser, url, *, worker):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, service_workers="allow" if worker else "block"
    )
    worker_bytes = []
    context.on(
        "requestfinished",
        lambda request: (
            worker_bytes.append(request.sizes()["responseBodySize"])
            if request.service_worker
            else None
        ),
    )
    page = context.new_page()
    sizes = _throttled(context, page)
    cold = _visit(page, sizes, url)
    if worker:
        page.evaluate("() => navigator.serviceWorker.ready")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=120_000)
        page.wait_for_function(KEPT, timeout=120_000)  # the worker kept this first page
        _throttle_workers(browser)
    installed = sum(worker_bytes) / 1000
    repeat = _visit(page, sizes, url)
    context.close()
    return cold, repeat, installed


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8220")
    parser.add_argument("--point", type=int, default=1)
    args = parser.parse_args()
    pages = {
        "home": "/",
        "service point": f"/service-points/{args.point}/",
        "feedback": f"/f/{args.point}/",
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        print(
            "page | cold usable/load s, kB | repeat, HTTP cache only | repeat, service worker"
            " | ratio | worker's own bytes"
        )
        for name, path in pages.items():
            started = time.perf_counter()
            cold, baseline, _ = measure(browser, args.url + path, worker=False)
            _, with_worker, installed = measure(browser, args.url + path, worker=True)
            ratio = with_worker[0] / baseline[0] if baseline[0] else float("nan")
            print(
                f"{name} | {cold[0]:.2f}/{cold[1]:.2f} s, {cold[2]:.1f} kB"
                f" | {baseline[0]:.2f}/{baseline[1]:.2f} s, {baseline[2]:.1f} kB"
                f" | {with_worker[0]:.2f}/{with_worker[1]:.2f} s, {with_worker[2]:.1f} kB"
                f" | {ratio:.2f} | worker fetched {installed:.1f} kB after the first visit"
                f" ({time.perf_counter() - started:.0f} s)"
            )
        browser.close()


if __name__ == "__main__":
    main()
