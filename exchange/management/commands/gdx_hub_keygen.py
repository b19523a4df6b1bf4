from django.core.management.base import BaseCommand, CommandError

from exchange import conf
from exchange.hub import HubKeyMissingError, hub_key_generate, hub_signing_key
from gdx_protocol import b64e
from gdx_protocol.keys import SigningKey


class Command(BaseCommand):
    help = (
        "Create the hub's signing key at GDX_HUB_KEY_FILE (default var/gdx/hub/signing.pem), "
        "or with --show print the existing key's public part for node configs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--alg",
            default="ed25519",
            choices=["ed25519", "ml-dsa-65"],
            help="signature algorithm of a new key (default: %(default)s)",
        )
        parser.add_argument(
            "--show",
            action="store_true",
            help="do not create anything: print the existing key's pin for node configs",
        )

    def handle(self, *args, alg: str = "ed25519", show: bool = False, **options):
        path = conf.hub_key_file()
        if show:
            try:
                key = hub_signing_key()
            except HubKeyMissingError as exc:
                raise CommandError(str(exc)) from None
            self._pin(key)
            return
        try:
            key = hub_key_generate(path, alg)
        except FileExistsError:
            raise CommandError(
                f"{path} exists; run with --show to print its public key, "
                "or move it away to rotate the hub key."
            ) from None
        self.stdout.write(f"Hub key written to {path}")
        self._pin(key)

    def _pin(self, key: SigningKey) -> None:
        self.stdout.write(
            f'Pin it in node configs ("hub_keys"): '
            f'{{"alg": "{key.alg}", "pub": "{b64e(key.public_raw)}"}}'
        )
        self.stdout.write(f"Fingerprint (SHA-256 of the raw key): {key.kid}")
