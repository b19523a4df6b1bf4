"""docs/gdx-threat-model.md names, for each threat, the tests that show the defence:
every one of those tests must exist, and every threat must name at least one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "gdx-threat-model.md"
SHORT = {
    "test_malicious_hub.py": "agency_node/tests/test_malicious_hub.py",
    "test_trust.py": "gdx_protocol/tests/test_trust.py",
    "test_exchange.py": "gdx_protocol/tests/test_exchange.py",
    "test_exchange_flow.py": "exchange/tests/test_exchange_flow.py",
}


def _rows() -> list[tuple[str, str]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| (T\d+) \|", line)
        if m:
            rows.append((m.group(1), line.split("|")[-2]))
    return rows


def test_every_threat_names_tests_that_exist():
    rows = _rows()
    assert [t for t, _ in rows] == [f"T{i}" for i in range(1, len(rows) + 1)]
    for threat, cell in rows:
        current: Path | None = None
        found = 0
        for token in re.findall(r"`([^`]+)`", cell):
            if "::" not in token and not token.endswith(".py"):
                continue  # e.g. `[witnessed]`
            path_part, _, name = token.partition("::")
            name = name.split("[")[0]
            if path_part:
                path_part = SHORT.get(path_part, path_part)
                current = ROOT / path_part
                assert current.exists(), f"{threat}: {path_part} does not exist"
            if name:
                assert current is not None, f"{threat}: {token} names no file"
                assert f"def {name}(" in current.read_text(encoding="utf-8"), (
                    f"{threat}: {name} is not in {current.relative_to(ROOT)}"
                )
            found += 1
        assert found, f"{threat} names no test"
