from django.core.management.base import BaseCommand

from core.management.commands.demo_data import Command as DemoData


class Command(BaseCommand):
    help = "Print the demo accounts that demo_data creates."

    def handle(self, *args, **options):
        self.stdout.write(DemoData.accounts_text())
