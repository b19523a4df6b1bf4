"""Hot-path statements (the exchange's log and directory, the feedback answer), run on
PostgreSQL with server-side binding.

Django's psycopg backend binds parameters on the client: every value is escaped into the SQL
text in Python (a leaf's bytes become a hex literal) and PostgreSQL parses and plans each
statement anew. These statements run for every exchange or answer, so they go through a
plain ``psycopg.Cursor`` on Django's own connection instead: values travel separately, and
psycopg prepares a statement once it has run a few times (its ``prepare_threshold``), or at
once with ``prepare=True``. They take part in the caller's transaction like any other query.
Errors are re-raised as Django's (``IntegrityError``, ``OperationalError``…) by Django's own
wrapper, which also marks a broken connection for closing.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from django.db import connection


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def fetchone(
    sql: str, params: Sequence[Any] | Mapping[str, Any] = (), *, prepare: bool | None = None
) -> tuple[Any, ...] | None:
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = _cursor()
        # SQL built from model metadata; values are parameters.
        cursor.execute(sql, params, prepare=prepare)  # type: ignore[arg-type]
        return cursor.fetchone() if cursor.description is not None else None


def fetchall(
    sql: str, params: Sequence[Any] | Mapping[str, Any] = (), *, prepare: bool | None = None
) -> list[tuple[Any, ...]]:
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = _cursor()
        cursor.execute(sql, params, prepare=prepare)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description is not None else []


_CURSOR_ATTR = "_citizeninfo_hot_cursor"


def _cursor() -> psycopg.Cursor[Any]:
    """One cursor per database connection, kept between statements: a new cursor sets up
    its adapters again on its first statement, which costs as much as the statement's own
    client-side work. A reconnection (a new psycopg connection) gets a new cursor."""
    raw = connection.connection
    cursor = getattr(connection, _CURSOR_ATTR, None)
    if cursor is None or cursor.connection is not raw or cursor.closed:
        cursor = psycopg.Cursor(raw)
        setattr(connection, _CURSOR_ATTR, cursor)
    return cursor
