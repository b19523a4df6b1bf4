from django.db import migrations, models


class AddIndexWithoutBlockingWrites(migrations.AddIndex):
    """On PostgreSQL the index is built CONCURRENTLY: the answers table is large and keeps
    taking answers while it is built (minutes at 100 M rows). SQLite builds it as usual."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(model, self.index, concurrently=True)
        else:
            schema_editor.remove_index(model, self.index)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("feedback", "0005_answer_submission_id"),
    ]

    operations = [
        AddIndexWithoutBlockingWrites(
            model_name="response",
            index=models.Index(
                condition=models.Q(("status", "flagged")), fields=["point"], name="fb_held_point"
            ),
        ),
        AddIndexWithoutBlockingWrites(
            model_name="response",
            index=models.Index(
                condition=models.Q(("status", "flagged")), fields=["agency"], name="fb_held_agency"
            ),
        ),
    ]
