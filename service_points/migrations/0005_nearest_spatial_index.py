"""The spatial index for "near me" (ADR 0015), kept by the database itself.

PostgreSQL: a partial GiST index on the built-in `point` type (no extension).
SQLite: an R*Tree virtual table (built into Python's sqlite3) kept by triggers, holding the
published points with their exact coordinates in auxiliary columns.
Neither is a Django model or index: the SQL is the same in every deployment, and a database
of another vendor gets nothing (selectors would then fail loudly, not answer wrongly).
"""

from django.db import migrations

TABLE = "service_points_servicepoint"
RTREE = "service_points_nearest_rtree"
ROW = "NEW.id, NEW.longitude, NEW.longitude, NEW.latitude, NEW.latitude, NEW.latitude, NEW.longitude"

POSTGRESQL = [
    f"CREATE INDEX sp_published_knn ON {TABLE} "
    "USING gist (point(longitude * 0.972, latitude)) WHERE status = 'published'",
]
POSTGRESQL_REVERSE = ["DROP INDEX IF EXISTS sp_published_knn"]

SQLITE = [
    f"CREATE VIRTUAL TABLE {RTREE} USING rtree("
    "id, min_lon, max_lon, min_lat, max_lat, +latitude REAL, +longitude REAL)",
    f"INSERT INTO {RTREE} SELECT id, longitude, longitude, latitude, latitude, latitude, "
    f"longitude FROM {TABLE} WHERE status = 'published'",
    f"CREATE TRIGGER sp_nearest_insert AFTER INSERT ON {TABLE} "
    f"WHEN NEW.status = 'published' BEGIN INSERT INTO {RTREE} VALUES ({ROW}); END",
    f"CREATE TRIGGER sp_nearest_update AFTER UPDATE OF id, status, latitude, longitude "
    f"ON {TABLE} BEGIN DELETE FROM {RTREE} WHERE id = OLD.id; "
    f"INSERT INTO {RTREE} SELECT {ROW} WHERE NEW.status = 'published'; END",
    f"CREATE TRIGGER sp_nearest_delete AFTER DELETE ON {TABLE} "
    f"BEGIN DELETE FROM {RTREE} WHERE id = OLD.id; END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS sp_nearest_insert",
    "DROP TRIGGER IF EXISTS sp_nearest_update",
    "DROP TRIGGER IF EXISTS sp_nearest_delete",
    f"DROP TABLE IF EXISTS {RTREE}",
]


def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("service_points", "0004_remove_lat_band"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
