from django.core.management.base import BaseCommand, CommandError

from line_channel import conf, rich_menu


class Command(BaseCommand):
    help = "Create the LINE rich menu (Thai default, English for English users) and upload it."

    def handle(self, *args, **options):
        if not conf.enabled():
            raise CommandError(
                "The LINE channel is off: set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN."
            )
        made = rich_menu.create_all()
        for language, menu_id in made.items():
            self.stdout.write(f"{language}: {menu_id}")
