"""Demo settings for the counter (idempotent): each demo service's way of checking, and an
officer of the GDX demo consumer (the Khon Kaen land office) to try the online path.

    manage.py counter_demo
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from agencies.models import Agency
from core.management.commands.demo_data import DEMO_PASSWORD
from counter import services
from counter.models import ServicePath
from exchange import demo
from manual.models import Service

GDX_OFFICER = ("somsak@dol.go.th", "สมศักดิ์", "ดินดี", demo.CONSUMER)


class Command(BaseCommand):
    help = "Set the demo agencies' ways of checking at the counter (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow outside DEBUG mode.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data is for development only (DEBUG is off).")

        email, first, last, code = GDX_OFFICER
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise CommandError(f"Agency {code} is missing: run manage.py demo_data first.")
        if not User.objects.filter(email=email).exists():
            User.objects.create_user(
                username=email,
                email=email,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                role=User.Role.AGENCY_OFFICER,
                agency=agency,
            )
        changed = 0
        for service in Service.objects.filter(agency__code__in=["dopa-cmi-muang", code]):
            if ServicePath.objects.filter(agency=service.agency, service=service).exists():
                continue
            online = service.agency.code == code
            services.counter_path_set(
                agency=service.agency,
                service=service,
                path=ServicePath.Path.ONLINE_EGA if online else ServicePath.Path.OFFLINE,
                gdx_purpose=demo.PURPOSE if online else "",
                by=None,
            )
            changed += 1
        self.stdout.write(f"Counter demo: {changed} service paths set; GDX officer {email}.")
