"""Grid arithmetic shared by the model (the stored latitude band) and the selectors.

A cell or band number is floor((value + offset) / size). The same formula runs in Python
(`cell`) and in SQL (`GridCell`), on SQLite and PostgreSQL alike, so a band computed for a
query matches the band stored with a row.
"""

import math

from django.db.models import F, Func, IntegerField

# Latitude bands of 0.05° (about 5.6 km): `ServicePoint.lat_band`, indexed with longitude,
# turns "points in this box" into one index range per band (see selectors.nearest).
LAT_BAND_DEGREES = 0.05
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


def lat_band(latitude: float) -> int:
    return cell(latitude, offset=LAT_OFFSET, size=LAT_BAND_DEGREES)
