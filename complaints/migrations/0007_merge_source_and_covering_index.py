from django.db import migrations


class Migration(migrations.Migration):
    """Joins the LINE source choice (issue 21) and the covering map index (ADR 0101)."""

    dependencies = [
        ("complaints", "0006_alter_complaint_source"),
        ("complaints", "0006_public_covering_index"),
    ]

    operations = []
