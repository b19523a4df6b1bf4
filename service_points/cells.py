"""The map's rollup: published points counted per fine grid cell (ADR 0014).

`ServicePointCell` holds, for every cell of the zoom-10 clustering grid (0.087890625°, about
9.7 km) that has published points: how many, the sum of their latitudes and longitudes (in
1e-7 degrees, as integers, so adding and taking away never drifts) and the sum of their ids
(so a cell holding one point names it). The cells of every lower zoom are whole blocks of
these cells, because the map's grid halves exactly from zoom to zoom and is anchored at
(-90, -180); the country view groups a few thousand cell rows instead of every point.

The table is kept IN THE SAME TRANSACTION as the point: `ServicePoint.save()` and the
point queryset's `update()`, `bulk_create()` and `bulk_update()` read the point's stored
state and apply the difference, and a `pre_delete` handler takes a deleted point away
(see models.py). Raw SQL on the points table is the one way round it:
`manage.py service_points_rebuild_cells` recounts from the points.

This module imports no models (models.py imports it); it finds the cell table in the app
registry.
"""

import math
from collections.abc import Iterable

from django.apps import apps
from django.db import connections, transaction

from service_points import grid

CLUSTER_CELLS_PER_TILE = 4  # as selectors: a 256-px tile split into 4x4 cells
FINE_ZOOM = 10
FINE_SIZE = 360.0 / 2**FINE_ZOOM / CLUSTER_CELLS_PER_TILE  # 0.087890625, exact in binary
ROLLUP_MAX_ZOOM = 8  # zooms up to this one are served from the cells (4x4 cells or more)
FIXED = 10_000_000  # sums of coordinates in 1e-7 degrees
CELL_FIELDS = frozenset({"status", "latitude", "longitude"})
PUBLISHED = "published"
BATCH = 500

Key = tuple[int, int]


def key(latitude: float, longitude: float) -> Key:
    """(row, column) of the fine cell, the same formula as grid.GridCell."""
    return (
        grid.cell(float(latitude), offset=grid.LAT_OFFSET, size=FINE_SIZE),
        grid.cell(float(longitude), offset=grid.LON_OFFSET, size=FINE_SIZE),
    )


def fixed(value: float) -> int:
    return round(float(value) * FIXED)


class Deltas:
    """Changes to the cells, gathered before they are written in one statement per batch."""

    def __init__(self) -> None:
        self.cells: dict[Key, list[int]] = {}

    def add(self, pk: int, status, latitude, longitude, sign: int) -> None:
        if status != PUBLISHED or latitude is None or longitude is None:
            return
        lat, lon = float(latitude), float(longitude)
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return
        cell = self.cells.setdefault(key(lat, lon), [0, 0, 0, 0])
        cell[0] += sign
        cell[1] += sign * fixed(lat)
        cell[2] += sign * fixed(lon)
        cell[3] += sign * int(pk)

    def change(self, pk: int, before: tuple | None, after: tuple | None) -> None:
        """before/after: (status, latitude, longitude), or None when the row does not exist."""
        if before == after:
            return
        if before is not None:
            self.add(pk, *before, sign=-1)
        if after is not None:
            self.add(pk, *after, sign=+1)

    def apply(self, using: str = "default") -> None:
        rows = sorted((k, v) for k, v in self.cells.items() if any(v))  # one lock order
        self.cells = {}
        if not rows:
            return
        connection = connections[using]
        qn = connection.ops.quote_name
        # Looked up in the app registry: models.py imports this module, not the reverse.
        table = qn(apps.get_model("service_points", "ServicePointCell")._meta.db_table)
        columns = ["y", "x", "n", "lat_sum", "lon_sum", "id_sum"]
        updates = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in columns[2:])
        with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH):
                batch = rows[start : start + BATCH]
                values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(batch))
                cursor.execute(  # names from _meta, values as parameters
                    f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) VALUES {values} "  # noqa: S608
                    f"ON CONFLICT ({qn('y')}, {qn('x')}) DO UPDATE SET {updates}",
                    [p for (y, x), v in batch for p in (y, x, *v)],
                )
            if any(v[0] < 0 for _k, v in rows):
                cursor.execute(f"DELETE FROM {table} WHERE {qn('n')} = 0")  # noqa: S608


def recount(rows: Iterable[tuple[int, float, float]]) -> dict[Key, tuple[int, int, int, int]]:
    """{cell: (n, lat_sum, lon_sum, id_sum)} from (id, latitude, longitude) of published points."""
    deltas = Deltas()
    for pk, lat, lon in rows:
        deltas.add(pk, PUBLISHED, lat, lon, +1)
    return {k: tuple(v) for k, v in deltas.cells.items() if v[0]}


def stored(queryset) -> dict[Key, tuple[int, int, int, int]]:
    """The table as recount() gives it (PostgreSQL's sums may come back as Decimal)."""
    return {
        (y, x): (int(n), int(la), int(lo), int(i))
        for y, x, n, la, lo, i in queryset.values_list(
            "y", "x", "n", "lat_sum", "lon_sum", "id_sum"
        )
    }
