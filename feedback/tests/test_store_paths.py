"""The one-statement store on PostgreSQL: prepared once per connection, and retried once on a
new connection when a kept one has died (never inside a transaction)."""

import time

import psycopg
import pytest
from django.db import InterfaceError, OperationalError, connection, transaction

from feedback import services
from feedback.models import PointDay, Response
from feedback.tests.factories import submit

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement store needs PostgreSQL"
)

ANSWER_STATEMENT = "%INSERT INTO feedback_pointday%"


def _prepared_answer_statements() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            [ANSWER_STATEMENT],
        )
        return cursor.fetchone()[0]


def test_the_answer_statement_is_prepared_on_the_connection_and_reused(point_a):
    submit(point_a)
    pid = connection.connection.info.backend_pid
    assert _prepared_answer_statements() == 1
    submit(point_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] >= 1
    assert _prepared_answer_statements() == 1  # planned once, run twice
    assert connection.connection.info.backend_pid == pid
    assert PointDay.objects.get().responses == 2


def _other_connection() -> psycopg.Connection:
    """A connection of its own to the same server and database as Django's."""
    db = connection.settings_dict
    params = {
        "host": db["HOST"],
        "port": db["PORT"],
        "user": db["USER"],
        "password": db["PASSWORD"],
        "dbname": db["NAME"],
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)


def _kill_djangos_connection() -> int:
    """Ends the server process behind Django's connection, as a database restart would."""
    pid = connection.connection.info.backend_pid
    with _other_connection() as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        for _ in range(200):
            gone = other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if gone.fetchone() is None:
                break
            time.sleep(0.025)
        else:
            pytest.fail(f"backend {pid} did not end")
    return pid


@pytest.fixture
def attempts(monkeypatch) -> list:
    """One entry per time the answer statement is sent."""
    sent = []
    sql = services._one_statement_sql

    def counted():
        sent.append(1)
        return sql()

    monkeypatch.setattr(services, "_one_statement_sql", counted)
    return sent


@pytest.mark.django_db(transaction=True)
def test_an_answer_is_stored_and_counted_after_the_connection_died(point_a, attempts):
    first = submit(point_a)
    dead = _kill_djangos_connection()
    attempts.clear()
    second = submit(point_a)
    assert len(attempts) == 2  # the dead connection, then a new one
    assert connection.connection.info.backend_pid != dead
    assert second.pk and second.is_counted
    assert sorted(Response.objects.values_list("pk", "status")) == [
        (first.pk, "accepted"),
        (second.pk, "accepted"),
    ]
    assert PointDay.objects.get(point=point_a).responses == 2


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_a_dead_connection_is_not_retried(point_a, attempts):
    submit(point_a)
    try:
        with pytest.raises((OperationalError, InterfaceError)):  # noqa: PT012
            with transaction.atomic():
                _kill_djangos_connection()
                attempts.clear()
                submit(point_a)
        assert len(attempts) == 1
    finally:
        connection.close()
    assert Response.objects.count() == 1
    assert PointDay.objects.get(point=point_a).responses == 1
