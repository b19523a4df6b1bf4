from django.core.management.base import BaseCommand, CommandError

from console.selectors import suspicious_dates


class Command(BaseCommand):
    help = (
        "Finds dates stored 543 years in the future (a Buddhist-Era year saved as A.D.); "
        "exits with an error when there are any, so cron or CI notices."
    )

    def handle(self, *args, **options):
        found = suspicious_dates()
        for group in found:
            for pk, stored, meant in group.rows:
                self.stdout.write(
                    f"{group.model}.{group.field} pk={pk}: {stored.isoformat()} "
                    f"(probably {meant.isoformat()})"
                )
        total = sum(len(group.rows) for group in found)
        if total:
            raise CommandError(f"{total} date(s) look like Buddhist-Era years saved as A.D.")
        self.stdout.write("No date is 543 years in the future.")
