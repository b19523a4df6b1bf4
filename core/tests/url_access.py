"""The URL-by-role sweep every app's tests use: a table of path → expected status per role.

Each app writes `TABLE = {"/path/{obj}/": only({"officer_a": 200}), ...}`; its tests then
assert `role_failures(client, user, TABLE, objects, role) == []` for every role in ROLES,
and `uncovered(TABLE, objects, ("app:",)) == set()` so a new URL cannot skip the table.
"""

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver, resolve

ROLES = ["anonymous", "officer_a", "admin_a", "officer_b", "ega_admin", "overseer"]
OPEN = dict.fromkeys(ROLES, 200)


def only(allowed: dict[str, int], default: int = 403, anonymous: int = 302) -> dict[str, int]:
    """Anonymous is sent to sign in, the roles named get their status, the rest `default`."""
    statuses = dict.fromkeys(ROLES, default)
    statuses["anonymous"] = anonymous
    statuses.update(allowed)
    return statuses


def role_failures(client, user, table: dict[str, dict[str, int]], objects: dict, role: str):
    if user is not None:
        client.force_login(user)
    failures = []
    for template, expected in table.items():
        path = template.format(**objects)
        status = client.get(path).status_code
        if status != expected[role]:
            failures.append(f"{path}: {status} (expected {expected[role]})")
    return failures


def named_routes(resolver=None, namespace: str = "") -> Iterator[str]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_routes(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def uncovered(table: dict, objects: dict, prefixes: tuple[str, ...]) -> set[str]:
    """URL names under `prefixes` that no row of the table reaches."""
    covered = {resolve(t.format(**objects).split("?")[0]).view_name for t in table}
    return {name for name in named_routes() if name.startswith(prefixes)} - covered
