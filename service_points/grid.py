"""Grid arithmetic shared by the map's cell roll-up and the selectors.

A cell number is floor((value + offset) / size). The same formula runs in Python
(`cell`) and in SQL (`GridCell`), on SQLite and PostgreSQL alike, so a cell computed for a
query matches the cell stored with a row.
"""

import math

from django.db.models import F, Func, IntegerField

LAT_OFFSET = 90.0
LON_OFFSET = 180.0


class GridCell(Func):
    """floor((value + offset) / size) as an integer, on SQLite and PostgreSQL alike.

    The offset keeps the value positive, so SQLite's CAST (which truncates) is a floor;
    PostgreSQL's CAST rounds, so it gets FLOOR first. Both are deterministic, so the
    expression can define a stored generated column.
    """

    output_field = IntegerField()

    def __init__(self, expression, *, offset: float, size: float):
        super().__init__((F(expression) + offset) / size)

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="CAST(FLOOR(%(expressions)s) AS INTEGER)", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="CAST(%(expressions)s AS INTEGER)", **extra
        )


def cell(value: float, *, offset: float, size: float) -> int:
    """The Python twin of GridCell."""
    return math.floor((value + offset) / size)
