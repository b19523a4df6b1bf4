"""Substring search index for the public manual (ADR 0021).

SQLite: an FTS5 table with the trigram tokenizer over Service.search_text, kept in step by
triggers. PostgreSQL: a pg_trgm GIN index, which serves the same LIKE '%…%' queries.
Note for later migrations on SQLite: a migration that rebuilds manual_service drops the
triggers; re-run SQLITE_TRIGGERS afterwards.
"""

from django.db import migrations

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS manual_service_fts USING fts5("
    "search_text, content='manual_service', content_rowid='id', tokenize='trigram')",
]
SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS manual_service_fts_ai AFTER INSERT ON manual_service BEGIN "
    "INSERT INTO manual_service_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS manual_service_fts_ad AFTER DELETE ON manual_service BEGIN "
    "INSERT INTO manual_service_fts(manual_service_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS manual_service_fts_au AFTER UPDATE OF search_text "
    "ON manual_service BEGIN "
    "INSERT INTO manual_service_fts(manual_service_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO manual_service_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO manual_service_fts(manual_service_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS manual_service_fts_ai",
    "DROP TRIGGER IF EXISTS manual_service_fts_ad",
    "DROP TRIGGER IF EXISTS manual_service_fts_au",
    "DROP TABLE IF EXISTS manual_service_fts",
]
POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS manual_service_search_trgm "
    "ON manual_service USING gin (search_text gin_trgm_ops)",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS manual_service_search_trgm"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("manual", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FTS + SQLITE_TRIGGERS, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
