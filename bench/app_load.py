"""Throttled load times of the installable app (issue 22, ADR 0090).

Chromium (Debian's) on a 390×844 phone, DevTools' "Slow 3G" (2 s latency, 50 kB/s each way)
and 4× CPU slowdown through the DevTools protocol. For the home page, a service point's page
and the QR feedback page: a cold first visit, then a repeat visit (a) with only the browser's
HTTP cache (the baseline, service workers blocked) and (b) with the service worker.
"Usable" = the navigation's DOMContentLoaded end; "load" = its load event end; bytes = the
page's own encoded transfer.

Limitation: the throttling is set on the page's DevTools session; requests the service worker
makes itself (its network-first fetch of the HTML) are not throttled and not counted, so the
"service worker" column is a lower bound, not a Slow 3G figure (docs/benchmarks.md).

Run against a running site, e.g. `PORT=8220 script/server`, then
    .venv/bin/python -m bench.app_load --url http://127.0.0.1:8220 --point 1
"""

import argparse
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


def _visit(page, sizes, url):
    sizes.clear()
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_timeout(200)
    usable, load = page.evaluate(TIMING)
    return usable / 1000, load / 1000, sum(sizes) / 1000


def measure(browser, url, *, worker):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, service_workers="allow" if worker else "block"
    )
    page = context.new_page()
    sizes = _throttled(context, page)
    cold = _visit(page, sizes, url)
    if worker:
        page.evaluate("() => navigator.serviceWorker.ready")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=120_000)
        page.wait_for_timeout(1000)
    repeat = _visit(page, sizes, url)
    context.close()
    return cold, repeat


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
            "page | cold usable/load s, kB | repeat, HTTP cache only | repeat, service worker | ratio"
        )
        for name, path in pages.items():
            started = time.perf_counter()
            cold, baseline = measure(browser, args.url + path, worker=False)
            _, with_worker = measure(browser, args.url + path, worker=True)
            ratio = with_worker[0] / baseline[0] if baseline[0] else float("nan")
            print(
                f"{name} | {cold[0]:.2f}/{cold[1]:.2f} s, {cold[2]:.1f} kB"
                f" | {baseline[0]:.2f}/{baseline[1]:.2f} s, {baseline[2]:.1f} kB"
                f" | {with_worker[0]:.2f}/{with_worker[1]:.2f} s, {with_worker[2]:.1f} kB"
                f" | {ratio:.2f} ({time.perf_counter() - started:.0f} s)"
            )
        browser.close()


if __name__ == "__main__":
    main()
