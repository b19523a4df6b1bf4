from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand

SKIP = {".venv", "node_modules", ".git", "var"}


def po_files() -> list[Path]:
    """The project's locale/ and every app's own <app>/locale/."""
    base = Path(settings.BASE_DIR)
    found = []
    for path in base.rglob("locale/*/LC_MESSAGES/*.po"):
        if not SKIP.intersection(path.relative_to(base).parts):
            found.append(path)
    return sorted(found)


class Command(BaseCommand):
    help = "Compile every .po to .mo in pure Python (no GNU gettext needed)."

    def handle(self, *args, **options):
        for po_path in po_files():
            po = polib.pofile(str(po_path))
            po.save_as_mofile(str(po_path.with_suffix(".mo")))
            self.stdout.write(f"{po_path}: {len(po.translated_entries())} translated")
