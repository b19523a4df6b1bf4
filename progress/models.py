"""Tracking and reporting (ระบบติดตามและรายงานผล).

`Phase` and `Activity` hold the programme's schedule (Phase 1 of the seed is loaded by a
data migration; later phases are added by administrators). `ProcessTally` is one row per
agency with its Citizen's Manual counts, kept current by `progress.sources` after every
change to a service, its documents, versions or the agency's survey (ADR 0060): the
2,000,000 process rows are counted once per change, not on every dashboard request.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.transitions import transition

# ProcessTally's counts, in the order the reports show them.
TALLY_FIELDS = (
    "processes",
    "asking_id_card",
    "asking_house_registration",
    "asking_any",
    "stopped_id_card",
    "stopped_house_registration",
    "stopped_any",
)


class Phase(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    number = models.PositiveSmallIntegerField(_("phase number"), unique=True)
    name_th = models.CharField(_("name in Thai"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["number"]

    def __str__(self) -> str:
        if (get_language() or "th").startswith("en") and self.name_en:
            return self.name_en
        return self.name_th

    @transition(
        source=Status.ACTIVE, target=Status.ARCHIVED, refused=_("This phase is already archived.")
    )
    def archive(self) -> None:
        pass


class Activity(models.Model):
    """One line of a phase's schedule, measured by one of the programme's figures."""

    class Measure(models.TextChoices):
        REGISTERED = "registered", _("Agencies registered")
        PINNED = "pinned", _("Service points pinned against the national target")
        SURVEYED = "surveyed", _("Agencies that pinned and answered the readiness survey")
        COPIES_STOPPED = "copies_stopped", _("Processes that stopped asking for copies")

    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="activities")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name_th = models.CharField(_("name in Thai"), max_length=300)
    name_en = models.CharField(_("name in English"), max_length=300, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    measure = models.CharField(_("measured by"), max_length=20, choices=Measure.choices)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["phase__number", "position", "pk"]

    def __str__(self) -> str:
        if (get_language() or "th").startswith("en") and self.name_en:
            return self.name_en
        return self.name_th

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("An activity cannot end before it starts.")})

    def elapsed_fraction(self, today=None) -> float:
        """How much of the window has passed: 0 before it opens, 1 once it has closed."""
        today = today or timezone.localdate()
        if today < self.starts_on:
            return 0.0
        if today >= self.ends_on:
            return 1.0
        days = (self.ends_on - self.starts_on).days + 1
        return ((today - self.starts_on).days + 1) / days


class ProcessTally(models.Model):
    """One agency's Citizen's Manual processes (services not archived), counted."""

    agency = models.OneToOneField(
        "agencies.Agency", on_delete=models.CASCADE, related_name="process_tally"
    )
    processes = models.PositiveIntegerField(default=0)
    asking_id_card = models.PositiveIntegerField(default=0)
    asking_house_registration = models.PositiveIntegerField(default=0)
    asking_any = models.PositiveIntegerField(default=0)
    stopped_id_card = models.PositiveIntegerField(default=0)
    stopped_house_registration = models.PositiveIntegerField(default=0)
    stopped_any = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("process tally")
        verbose_name_plural = _("process tallies")

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.processes}"

    @property
    def copy_free(self) -> bool:
        return self.processes > 0 and self.asking_any == 0
