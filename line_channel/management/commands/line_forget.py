from django.core.management.base import BaseCommand

from line_channel.services import links_forget


class Command(BaseCommand):
    help = "Erase the sealed LINE user ids of complaints done long ago (run by nightly)."

    def handle(self, *args, **options):
        self.stdout.write(f"line_forget: {links_forget()} sealed LINE user ids erased")
