"""Recounts the map's cell table from the published points (ADR 0014).

Every write through Django keeps the table right; this is for after raw SQL on the points
table, or to check: `--check` compares without writing and exits 1 on a difference.
"""

from django.core.management.base import BaseCommand, CommandError

from service_points import cells
from service_points.models import ServicePoint, ServicePointCell, rebuild_cells


class Command(BaseCommand):
    help = "Recount the service points map's cell table from the published points."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Compare only; exit 1 if the table is wrong."
        )

    def handle(self, *args, check: bool = False, **options):
        if check:
            expected = cells.recount(
                ServicePoint.objects.filter(status=cells.PUBLISHED)
                .values_list("pk", "latitude", "longitude")
                .iterator(chunk_size=10_000)
            )
            actual = cells.stored(ServicePointCell.objects.all())
            wrong = {k for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k)}
            if wrong:
                raise CommandError(
                    f"{len(wrong)} of {len(expected)} cells differ; run without --check."
                )
            self.stdout.write(f"The cell table is right ({len(expected)} cells).")
            return
        count = rebuild_cells()
        self.stdout.write(f"Rebuilt the cell table: {count} cells.")
