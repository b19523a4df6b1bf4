"""Issue 16: "น.." after times. be_datetime ends with "น."; no template may add another stop."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_template_puts_a_full_stop_after_a_thai_time():
    offenders = []
    for path in ROOT.glob("*/templates/**/*.*"):
        if ".venv" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if re.search(r"\|be_datetime(:[^}]*)?\s*}}\.", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders
