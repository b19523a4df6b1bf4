"""The code writes only the audit actions listed in audit/actions.py."""

import ast
from pathlib import Path

from audit.actions import ACTIONS
from exchange.models import Member
from service_points.models import ServicePointChange

ROOT = Path(__file__).resolve().parents[2]
WRITERS = {"audit_record", "audit_event"}


def _writes():
    """(file:line, action expression) of every audit_record/audit_event call outside tests."""
    apps = [d for d in ROOT.iterdir() if d.is_dir() and not d.name.startswith((".", "_"))]
    for path in sorted(
        p for app in apps if app.name not in ("bench", "var") for p in app.rglob("*.py")
    ):
        parts = path.relative_to(ROOT).parts
        if parts[0].startswith(".") or "tests" in parts or "migrations" in parts:
            continue
        if parts == ("audit", "services.py"):
            continue  # the writers themselves pass `action` on
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in WRITERS:
                continue
            for keyword in node.keywords:
                if keyword.arg == "action":
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", keyword.value


def _names(expression) -> list[str] | None:
    """The literal names an expression can take; None when it is built at run time."""
    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
        return [expression.value]
    if isinstance(expression, ast.IfExp):
        body, orelse = _names(expression.body), _names(expression.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def test_every_literal_action_is_listed():
    unlisted, dynamic, literal = [], [], 0
    for where, expression in _writes():
        names = _names(expression)
        if names is None:
            dynamic.append(where)
            continue
        literal += len(names)
        unlisted += [f"{where}: {name}" for name in names if name not in ACTIONS]
    assert literal > 40  # the scan found the writers
    assert not unlisted, "add these to audit/actions.py:\n" + "\n".join(unlisted)
    # The only names built at run time are the two below, checked against their choices.
    assert [where.split(":")[0] for where in dynamic] == [
        "exchange/services.py",
        "service_points/services.py",
    ]


def test_the_names_built_at_run_time_are_listed():
    assert {f"service_point.{kind}" for kind in ServicePointChange.Kind.values} <= ACTIONS
    assert {f"gdx.member.{status}" for status in Member.Status.values} <= ACTIONS
