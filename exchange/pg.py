"""The few statements on the exchange's hot path, run on PostgreSQL with server-side binding.

Django's psycopg backend binds parameters on the client: every value is escaped into the SQL
text in Python (a leaf's bytes become a hex literal) and PostgreSQL parses and plans each
statement anew. These statements run two or four times per exchange, so they go through a
plain ``psycopg.Cursor`` on Django's own connection instead: values travel separately, and
psycopg prepares a statement once it has run a few times (its ``prepare_threshold``). They
take part in the caller's transaction like any other query. Errors are re-raised as
Django's ``IntegrityError`` / ``DatabaseError``.
"""

from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import DatabaseError, IntegrityError, connection


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def fetchone(sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
    connection.ensure_connection()
    raw = connection.connection
    try:
        with psycopg.Cursor(raw) as cursor:
            cursor.execute(sql, params)  # type: ignore[arg-type]  # SQL built from metadata
            return cursor.fetchone() if cursor.description is not None else None
    except psycopg.IntegrityError as exc:
        raise IntegrityError(*exc.args) from exc
    except psycopg.Error as exc:
        raise DatabaseError(*exc.args) from exc
