"""The hub does not depend on the agency node's package (both use gdx_protocol)."""

import subprocess
import sys


def test_the_hub_imports_nothing_from_the_agency_node():
    code = (
        "import django, os, sys; "
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'citizeninfo.settings.test'); "
        "django.setup(); import exchange.services, exchange.hub, exchange.views; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'agency_node'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"
