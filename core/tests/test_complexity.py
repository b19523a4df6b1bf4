"""No function outside migrations and tests reaches radon's grade D (cyclomatic complexity
21 or more): the same check as `radon cc -n D -e "*/migrations/*,*/tests/*" <apps>`."""

from pathlib import Path

from radon.complexity import cc_rank, cc_visit

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {"migrations", "tests", "node_modules"}


def _sources():
    for top in sorted(ROOT.iterdir()):
        if not top.is_dir() or top.name.startswith((".", "_")) or top.name in ("var", "docs"):
            continue
        for path in sorted(top.rglob("*.py")):
            if not SKIPPED_DIRS & set(path.relative_to(ROOT).parts):
                yield path


def test_no_function_is_grade_d_or_worse():
    checked, too_complex = 0, []
    for path in _sources():
        for block in cc_visit(path.read_text(encoding="utf-8")):
            checked += 1
            if cc_rank(block.complexity) >= "D":
                where = f"{path.relative_to(ROOT)}:{block.lineno} {block.fullname}"
                too_complex.append(f"{where} {cc_rank(block.complexity)} ({block.complexity})")
    assert checked > 500  # the walk found the code
    assert not too_complex, "split these up:\n" + "\n".join(too_complex)
