"""Complaints (ระบบการแจ้งเรื่องร้องเรียน): a citizen reports a problem, one agency fixes it.

`Complaint.state` only moves through its `@transition` methods (core.transitions; FixMyStreet's states);
every move, hand-over, note and reporter action is a `ComplaintEvent`, so the public timeline
and the agency's history come from one table. Agencies' internal notes are events with
`internal=True` and never reach a public page or the Open311 API.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import transitions as workflow

DESCRIPTION_MAX_LENGTH = 2000
MAX_PHOTOS = 4
DEFAULT_DEADLINE_DAYS = 15


class Category(models.Model):
    """What a complaint is about; its `code` is the Open311 `service_code`."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_th = models.CharField(_("name in Thai"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    is_about_service = models.BooleanField(
        _("about a service of the Citizen's Manual"), default=False
    )
    deadline_working_days = models.PositiveSmallIntegerField(
        _("deadline (working days)"),
        default=DEFAULT_DEADLINE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    default_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("default agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Used where no province has its own route; empty: EGA's fallback queue."),
    )
    is_active = models.BooleanField(_("offered to citizens"), default=True)
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name_th


class Route(models.Model):
    """The routing table EGA edits: for a map pin in a province, which agency answers."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routes")
    province_code = models.CharField(_("province"), max_length=2)
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routing table")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "province_code"], name="complaints_route_one_per_province"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category.code} / {self.province_code}"


class Holiday(models.Model):
    """Days off that EGA declares on top of Thailand's public holidays (special holidays)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("extra holiday")
        verbose_name_plural = _("extra holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ReferenceCounter(models.Model):
    """The last number given in a Buddhist-Era year (CR-2569-000123)."""

    year_be = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year_be}: {self.last}"


def new_follow_token() -> str:
    return secrets.token_urlsafe(24)


class Complaint(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        CONFIRMED = "confirmed", _("Confirmed")
        IN_PROGRESS = "in_progress", _("In progress")
        ACTION_SCHEDULED = "action_scheduled", _("Action scheduled")
        FIXED = "fixed", _("Fixed")
        NOT_RESPONSIBLE = "not_responsible", _("Closed: not responsible")
        DUPLICATE = "duplicate", _("Closed: duplicate")
        NO_FURTHER_ACTION = "no_further_action", _("Closed: no further action")

    class Routing(models.TextChoices):
        POINT = "point", _("The service point's agency")
        SERVICE = "service", _("The service's agency")
        ROUTE = "route", _("The routing table")
        CATEGORY = "category", _("The category's default agency")
        FALLBACK = "fallback", _("EGA's fallback queue")
        HANDED_OVER = "handed_over", _("Handed over")
        TRIAGED = "triaged", _("Assigned by EGA")

    class Source(models.TextChoices):
        WEB = "web", _("Web")
        OPEN311 = "open311", _("Open311")
        API = "api", _("API")
        LINE = "line", _("LINE")

    OPEN_STATES = (State.RECEIVED, State.CONFIRMED, State.IN_PROGRESS, State.ACTION_SCHEDULED)
    CLOSED_STATES = (State.NOT_RESPONSIBLE, State.DUPLICATE, State.NO_FURTHER_ACTION)
    DONE_STATES = (State.FIXED, *CLOSED_STATES)
    # Filled in below the class from the @transition declarations.
    MOVES: dict[str, str] = {}
    TRANSITIONS: dict[str, tuple[str, ...]] = {}

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    follow_token = models.CharField(max_length=64, unique=True, default=new_follow_token)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        "manual.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    point = models.ForeignKey(
        "service_points.ServicePoint",
        verbose_name=_("service point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("responsible agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    routing = models.CharField(max_length=16, choices=Routing.choices)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH)
    # What the public reads: personal data masked on write (feedback's masking, ADR 0041).
    description_public = models.TextField(editable=False)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    province_code = models.CharField(_("province"), max_length=2)
    reporter_name = models.CharField(_("your name"), max_length=200, blank=True)
    name_public = models.BooleanField(_("show my name in public"), default=False)
    reporter_email = models.EmailField(_("email"), blank=True)
    reporter_phone = models.CharField(_("phone"), max_length=20, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.RECEIVED
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    deadline = models.DateField(_("deadline"))
    created_at = models.DateTimeField(_("filed"), default=timezone.now)
    state_changed_at = models.DateTimeField(default=timezone.now)
    fixed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(_("reopened"), default=0)
    supporters = models.PositiveIntegerField(_("me too"), default=0)
    reporter_confirmed_at = models.DateTimeField(null=True, blank=True)
    questionnaire_sent_at = models.DateTimeField(null=True, blank=True)
    questionnaire_still_fixed = models.BooleanField(null=True, blank=True)
    questionnaire_answered_at = models.DateTimeField(null=True, blank=True)
    text_hidden = models.BooleanField(_("text hidden by a moderator"), default=False)
    # Held: a flood from one device or network waits for EGA and counts nowhere public.
    held = models.BooleanField(default=False)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    device_hash = models.CharField(max_length=64, blank=True)
    network_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agency", "state", "deadline"], name="complaints_agency_queue"),
            # The public map and list by province and state, newest first, read from the
            # index alone: the map's columns ride along (ADR 0101), so 2,000 pins are not
            # 2,000 random reads of the table.
            models.Index(
                fields=["province_code", "state", "-created_at"],
                name="complaints_public_cover",
                include=["reference", "latitude", "longitude", "category"],
                condition=models.Q(held=False),
            ),
            models.Index(fields=["-created_at"], name="complaints_newest"),
            # The public list's usual question, "open complaints in a province, newest first",
            # read in index order (a state IN (…) cannot use complaints_public's order).
            models.Index(
                fields=["province_code", "-created_at"],
                name="complaints_public_open",
                condition=models.Q(
                    held=False,
                    state__in=["received", "confirmed", "in_progress", "action_scheduled"],
                ),
            ),
            models.Index(fields=["latitude", "longitude"], name="complaints_place"),
            models.Index(fields=["device_hash", "created_at"], name="complaints_device"),
            models.Index(fields=["network_hash", "created_at"], name="complaints_network"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("complaints:detail", args=[self.reference])

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def is_done(self) -> bool:
        return self.state in self.DONE_STATES

    @property
    def open311_status(self) -> str:
        return "open" if self.is_open else "closed"

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and today > self.deadline

    def public_name(self) -> str:
        return self.reporter_name if (self.name_public and self.reporter_name) else ""

    def public_text(self) -> str:
        return "" if self.text_hidden else self.description_public

    def can_move_to(self, state: str) -> bool:
        return state in self.TRANSITIONS.get(self.state, ())

    def transition(self, state: str, *, now=None) -> str:
        """Moves to `state` through its declared move, or raises ValidationError naming both
        states. Returns the old state."""
        if state not in self.State.values:
            raise ValidationError(_("Unknown state."))
        old = self.state
        refused = ValidationError(
            _("A complaint that is “%(from)s” cannot be moved to “%(to)s”.")
            % {"from": self.State(old).label, "to": self.State(state).label},
            code="illegal_transition",
        )
        if state not in self.MOVES:  # nothing moves back to "received"
            raise refused
        try:
            getattr(self, self.MOVES[state])(now=now)
        except ValidationError as error:
            if error.code != "illegal_transition":
                raise
            raise refused from error
        return old

    # The agency's moves (core.transitions). Fixed and closed complaints come back only by a
    # reopen; `TRANSITIONS` below is derived from these declarations.
    @workflow.transition(field="state", source=State.RECEIVED, target=State.CONFIRMED)
    def confirm(self, *, now=None) -> None:
        self._stamp(self.State.CONFIRMED, now)

    @workflow.transition(
        field="state",
        source=(State.RECEIVED, State.CONFIRMED, State.ACTION_SCHEDULED),
        target=State.IN_PROGRESS,
    )
    def start(self, *, now=None) -> None:
        self._stamp(self.State.IN_PROGRESS, now)

    @workflow.transition(
        field="state",
        source=(State.RECEIVED, State.CONFIRMED, State.IN_PROGRESS),
        target=State.ACTION_SCHEDULED,
    )
    def schedule(self, *, now=None) -> None:
        self._stamp(self.State.ACTION_SCHEDULED, now)

    @workflow.transition(field="state", source=OPEN_STATES, target=State.FIXED)
    def fix(self, *, now=None) -> None:
        self._stamp(self.State.FIXED, now)

    @workflow.transition(field="state", source=OPEN_STATES, target=State.NOT_RESPONSIBLE)
    def close_not_responsible(self, *, now=None) -> None:
        self._stamp(self.State.NOT_RESPONSIBLE, now)

    @workflow.transition(field="state", source=OPEN_STATES, target=State.DUPLICATE)
    def close_duplicate(self, *, now=None) -> None:
        self._stamp(self.State.DUPLICATE, now)

    @workflow.transition(field="state", source=OPEN_STATES, target=State.NO_FURTHER_ACTION)
    def close_no_further_action(self, *, now=None) -> None:
        self._stamp(self.State.NO_FURTHER_ACTION, now)

    @workflow.transition(
        field="state",
        source=DONE_STATES,
        target=State.CONFIRMED,
        refused=_("Only a fixed or closed complaint can be reopened."),
    )
    def reopen(self, *, now=None) -> str:
        """The reporter (or the four-week answer) says it is not fixed: back to confirmed."""
        old = self.state
        self._stamp(self.State.CONFIRMED, now)
        self.reopen_count += 1
        self.fixed_at = None
        self.closed_at = None
        self.reporter_confirmed_at = None
        self.questionnaire_sent_at = None
        self.duplicate_of = None
        return old

    def _stamp(self, state: str, now) -> None:
        now = now or timezone.now()
        self.state_changed_at = now
        if state == self.State.FIXED:
            self.fixed_at = now
        if state in self.CLOSED_STATES:
            self.closed_at = now


# The agency's move to each state, and the states each state may move to (for the forms).
Complaint.MOVES = {
    move.target: move.name for move in workflow.transitions(Complaint) if move.name != "reopen"
}
Complaint.TRANSITIONS = {
    state: tuple(
        target
        for target in Complaint.State.values
        if target in Complaint.MOVES
        and state in getattr(Complaint, Complaint.MOVES[target]).transition.source
    )
    for state in Complaint.State.values
}


def photo_path(instance: "ComplaintPhoto", filename: str) -> str:
    return f"complaints/{instance.complaint.reference}/{secrets.token_hex(8)}.jpg"


def thumbnail_path(instance: "ComplaintPhoto", filename: str) -> str:
    return f"complaints/{instance.complaint.reference}/{secrets.token_hex(8)}-thumb.jpg"


class ComplaintPhoto(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(upload_to=photo_path, max_length=200)
    thumbnail = models.FileField(upload_to=thumbnail_path, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    hidden = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.complaint.reference} photo {self.pk}"


class ComplaintEvent(models.Model):
    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Filed")
        STATE = "state", _("State changed")
        HANDED_OVER = "handed_over", _("Handed over")
        ASSIGNED = "assigned", _("Assigned by EGA")
        NOTE = "note", _("Internal note")
        CONFIRMED = "confirmed", _("Reporter confirmed the fix")
        REOPENED = "reopened", _("Reopened")
        QUESTIONNAIRE = "questionnaire", _("Four-week answer")
        MODERATED = "moderated", _("Moderated")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    state_from = models.CharField(max_length=20, blank=True)
    state_to = models.CharField(max_length=20, blank=True)
    from_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    internal = models.BooleanField(default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["complaint", "created_at"], name="complaints_event_time")]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind}"


class Support(models.Model):
    """A "me too" from one device on someone else's open complaint."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="supports")
    device_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "device_hash"], name="complaints_support_once_per_device"
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} +1"


class ResponseTemplate(models.Model):
    """An agency's ready answers for public notes."""

    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, related_name="complaint_templates"
    )
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"), max_length=DESCRIPTION_MAX_LENGTH)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class PartnerKey(models.Model):
    """A key EGA issues to a partner channel (a city app, a LINE official account) that files
    complaints through Open311 POST without belonging to an agency. Only a SHA-256 of the
    secret is kept; the secret is shown once."""

    PREFIX_LENGTH = 8
    SCHEME = "cp"  # keys read "cp_<prefix>_<secret>"; agencies' service point keys are "sp_"

    name = models.CharField(_("partner channel"), max_length=100)
    contact = models.CharField(_("contact at the partner"), max_length=200, blank=True)
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("partner channel key")
        verbose_name_plural = _("partner channel keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.SCHEME}_{self.prefix}… ({self.name})"

    @staticmethod
    def hash(secret: str) -> str:
        # The secrets are 256-bit random: a fast hash is enough (nothing to brute-force).
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def generate(cls) -> tuple[str, str]:
        """(prefix, full key). The full key is shown once and never stored."""
        prefix = secrets.token_hex(cls.PREFIX_LENGTH // 2)
        return prefix, f"{cls.SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, *, now=None) -> None:
        if self.revoked_at is not None:
            raise ValidationError(_("This key is already revoked."))
        self.revoked_at = now or timezone.now()
