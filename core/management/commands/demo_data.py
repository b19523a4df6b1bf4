from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Registration, User
from agencies.models import Agency
from agencies.services import agency_import_csv
from readiness.models import SurveyRound
from readiness.selectors import survey_round_current
from readiness.services import survey_round_save

DIRECTORY_CSV = Path(__file__).resolve().parents[3] / "agencies" / "fixtures" / "directory.csv"
DEMO_PASSWORD = "demo-citizeninfo-2569"  # noqa: S105 - printed for the local demo only
DEMO_ACCOUNTS = [
    # email, first, last, role, agency code
    ("admin@ega.or.th", "ผู้ดูแล", "สรอ.", User.Role.EGA_ADMIN, None),
    ("overseer@opdc.go.th", "ผู้ติดตาม", "ก.พ.ร.", User.Role.OVERSEER, "opdc"),
    ("somchai@dopa.go.th", "สมชาย", "ใจดี", User.Role.AGENCY_ADMIN, "dopa-cmi-muang"),
    ("suda@dopa.go.th", "สุดา", "รักงาน", User.Role.AGENCY_OFFICER, "dopa-cmi-muang"),
    ("malee@dlt.go.th", "มาลี", "ศรีสุข", User.Role.AGENCY_ADMIN, "dlt-cmi"),
    # The counter's online path (GDX demo consumer); created by manage.py counter_demo.
    ("somsak@dol.go.th", "สมศักดิ์", "ดินดี", User.Role.AGENCY_OFFICER, "dol-kkn"),
]


class Command(BaseCommand):
    help = "Load the demo directory and demo accounts (once; running it again changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Allow outside DEBUG mode (never on a real server).",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Do nothing when the directory already has agencies.",
        )

    def handle(self, *args, force: bool = False, once: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data is for development only (DEBUG is off).")
        if once and Agency.objects.exists():
            self.stdout.write("Demo data already loaded.")
            self.ensure_survey_round()
            return
        result = agency_import_csv(text=DIRECTORY_CSV.read_text(encoding="utf-8"))
        if not result.ok:
            raise CommandError("; ".join(f"line {line}: {msg}" for line, msg in result.errors))
        with transaction.atomic():
            for email, first, last, role, code in DEMO_ACCOUNTS:
                if User.objects.filter(email=email).exists():
                    continue
                agency = Agency.objects.get(code=code) if code else None
                user = User.objects.create_user(
                    username=email,
                    email=email,
                    password=DEMO_PASSWORD,
                    first_name=first,
                    last_name=last,
                    role=role,
                    agency=agency,
                    is_staff=role == User.Role.EGA_ADMIN,
                    is_superuser=role == User.Role.EGA_ADMIN,
                )
                if agency is not None and role != User.Role.OVERSEER:
                    Registration.objects.create(
                        agency=agency,
                        user=user,
                        first_name=first,
                        last_name=last,
                        email=email,
                        phone="0812345678",
                        status=Registration.Status.ACTIVATED,
                    )
        self.stdout.write(
            f"Directory: {result.created} new, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
        call_command("load_manual_demo", stdout=self.stdout)
        call_command("load_service_points_demo", stdout=self.stdout)
        self.ensure_survey_round()

    def ensure_survey_round(self) -> None:
        """A survey round open today, so the demo's survey is never a closed door.

        Checked on every start: a demo database kept for months gets a new round when the
        last one has closed.
        """
        import datetime

        from django.core.exceptions import ValidationError
        from django.utils import timezone

        if survey_round_current() is not None:
            return
        admin = User.objects.filter(email="admin@ega.or.th").first()
        if admin is None:
            return
        today = timezone.localdate()
        year = today.year + 543
        round = SurveyRound(
            name_th=f"รอบสาธิต ปี {year}",
            name_en=f"Demo round {today.year}",
            opens_on=today - datetime.timedelta(days=7),
            closes_on=today + datetime.timedelta(days=60),
        )
        try:
            survey_round_save(round=round, by=admin)
        except ValidationError as error:
            self.stderr.write(f"No demo survey round: {'; '.join(error.messages)}")
            return
        self.stdout.write(f"Survey round open until {round.closes_on.isoformat()}.")

    @staticmethod
    def accounts_text() -> str:
        lines = [f"  {email:<24} {role.label}" for email, _f, _l, role, _c in DEMO_ACCOUNTS]
        lines.append(f"  password for all: {DEMO_PASSWORD}")
        lines.append(f"  agency identity example: dopa-cmi-muang@{settings.AGENCY_LOGIN_DOMAIN}")
        return "\n".join(lines)
