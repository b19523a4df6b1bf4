"""The order of the reasons an answer is held for is written once (`_FLAG_RULES`): the Python
decision and the SQL CASE generated from it agree on every combination."""

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback import services
from feedback.models import Response

pytestmark = pytest.mark.django_db

LIMITS = {"hard_limit": 30, "device_limit": 5, "soft_limit": 10, "point_limit": 3}


def _decide_in_sql(seen: dict) -> str:
    columns = ", ".join(
        f"%({name})s AS {name}"
        for name in ("duplicate", "from_device", "from_network", "from_network_to_point")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH seen AS (SELECT {columns}) SELECT {services._decide_sql()} FROM seen",  # noqa: S608
            {**seen, **LIMITS},
        )
        return cursor.fetchone()[0]


@settings(max_examples=150, deadline=None)
@given(
    honeypot=st.booleans(),
    duplicate=st.booleans(),
    from_device=st.integers(0, 8),
    from_network=st.integers(0, 35),
    from_network_to_point=st.integers(0, 5),
)
def test_python_and_sql_decide_alike(
    honeypot, duplicate, from_device, from_network, from_network_to_point
):
    seen = {
        "honeypot": honeypot,
        "duplicate": duplicate,
        "from_device": from_device,
        "from_network": from_network,
        "from_network_to_point": from_network_to_point,
    }
    assert services._decide(seen, LIMITS) == _decide_in_sql(seen)


def test_every_reason_is_decided_and_a_flood_is_refused_first():
    reasons = [reason for reason, _found, _limit in services._FLAG_RULES]
    assert reasons[0] == services._REFUSED
    assert set(reasons[1:]) == set(Response.FlagReason.values) - {""}
    flood = {
        "honeypot": True,
        "duplicate": True,
        "from_device": 9,
        "from_network": 99,
        "from_network_to_point": 9,
    }
    assert services._decide(flood, LIMITS) == services._REFUSED
