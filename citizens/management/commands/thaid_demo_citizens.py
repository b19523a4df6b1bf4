"""Prints the demo OpenID provider's citizens (for script/server's banner)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from citizens import demo_provider


class Command(BaseCommand):
    help = "List the citizens the demo ThaiD provider signs in (people of the sample registry)."

    def handle(self, *args, **options):
        if not settings.THAID_DEMO_PROVIDER:
            self.stdout.write("  (demo ThaiD provider off)")
            return
        for person in demo_provider.demo_citizens():
            self.stdout.write(f"  {person.name_th}  ID {person.pid}")
