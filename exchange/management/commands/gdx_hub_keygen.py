from django.core.management.base import BaseCommand, CommandError

from exchange import conf
from exchange.hub import hub_key_generate
from gdx_protocol import b64e


class Command(BaseCommand):
    help = "Create the hub's signing key at GDX_HUB_KEY_FILE (default var/gdx/hub/signing.pem)."

    def add_arguments(self, parser):
        parser.add_argument("--alg", default="ed25519", choices=["ed25519", "ml-dsa-65"])

    def handle(self, *args, alg: str = "ed25519", **options):
        path = conf.hub_key_file()
        try:
            key = hub_key_generate(path, alg)
        except FileExistsError:
            raise CommandError(f"{path} exists; move it away to rotate the hub key.") from None
        self.stdout.write(f"Hub key written to {path}")
        self.stdout.write(
            f'Pin it in node configs: {{"alg": "{key.alg}", "pub": "{b64e(key.public_raw)}"}}'
        )
