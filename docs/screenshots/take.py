"""Takes the phone screenshots in this folder from a running demo (script/server).

    PORT=8000 script/server &            # then:
    .venv/bin/python docs/screenshots/take.py http://127.0.0.1:8000

A 390×844 phone in Thai, Debian's Chromium. Requests off this machine are refused, as in the
tests, so the map shows what it shows when tiles cannot load (this machine has no internet).
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
BASE = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/")


def main() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="th-TH"
        )
        context.route(lambda url: not url.startswith(BASE), lambda route: route.abort())
        page = context.new_page()

        page.goto(BASE + "/")
        page.screenshot(path=HERE / "home.png")

        # Phra Nakhon district, Bangkok, where the demo has points.
        page.goto(BASE + "/service-points/#14/13.7530/100.4960")
        page.wait_for_selector(".leaflet-marker-icon")
        page.wait_for_timeout(800)
        page.evaluate("document.getElementById('map-title').scrollIntoView()")
        page.screenshot(path=HERE / "map-district.png")

        page.goto(
            BASE + "/service-points/?province=50"
        )  # Chiang Mai: its district office offers Manual services
        point_url = page.locator("section[aria-labelledby=results-title] a").first.get_attribute(
            "href"
        )
        point_url = BASE + point_url
        page.goto(point_url)
        page.wait_for_selector("#point-map.leaflet-container")
        page.wait_for_timeout(500)
        page.screenshot(path=HERE / "point.png", full_page=True)

        page.goto(point_url.replace("/service-points/", "/f/"))
        page.screenshot(path=HERE / "feedback.png")
        browser.close()


if __name__ == "__main__":
    main()
