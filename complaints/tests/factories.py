from complaints import services
from complaints.models import Category

BANGKOK = (13.7563, 100.5018)


def load_categories() -> None:
    """The categories the data migration loads (transactional tests flush them)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("complaints.migrations.0002_load_categories")
    migration.load(apps, None)


def category(code: str = "road") -> Category:
    if not Category.objects.exists():
        load_categories()
    return Category.objects.get(code=code)


def submit(**kwargs):
    """A complaint filed as a citizen would, through the one write path."""
    values = {
        "category": kwargs.pop("category", None) or category("road"),
        "description": "ป้ายจราจรล้ม โทร 081-234-5678",
        "latitude": BANGKOK[0],
        "longitude": BANGKOK[1],
        "reporter_email": "citizen@example.com",
    }
    values.update(kwargs)
    return services.complaint_submit(**values)
