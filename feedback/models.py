"""A citizen's answer about the service just received, and the per-point daily figures.

`Response` is append-only for the citizen: nobody edits the answers. Its status only moves
through the review transitions below. `PointDay` holds the running sums of accepted responses
per point and day, updated in the same transaction as each accepted insert (ADR 0040), so a
point's figures never scan its responses.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import CleanTextMixin
from core.transitions import transition

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]
COMMENT_MAX_LENGTH = 1000
AREAS = ("process", "staff", "facilities", "outcome")
SCORES = ("overall", *AREAS)


def score_field(label):
    return models.PositiveSmallIntegerField(label, validators=SCORE_VALIDATORS)


class Response(CleanTextMixin, models.Model):
    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Counted")
        FLAGGED = "flagged", _("Held for review")
        REJECTED = "rejected", _("Rejected after review")

    class FlagReason(models.TextChoices):
        NONE = "", _("None")
        HONEYPOT = "honeypot", _("Hidden field filled in (likely a robot)")
        DUPLICATE = "duplicate", _("Same device, same point, within the duplicate window")
        DEVICE_RATE = "device_rate", _("Too many answers from one device")
        NETWORK_RATE = "network_rate", _("Too many answers from one network")
        POINT_BURST = "point_burst", _("Too many answers for one point from one network")

    # Every index costs each answer's insert (thousands a second at peak, ADR 0044): the
    # point and agency are covered by the (…, created_at) indexes below, so their foreign
    # keys get no index of their own.
    point = models.ForeignKey(
        "service_points.ServicePoint",
        verbose_name=_("service point"),
        on_delete=models.PROTECT,
        related_name="feedback_responses",
        db_index=False,
    )
    # The point's agency when the answer was given: reports group by it without a join.
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="feedback_responses",
        editable=False,
        db_index=False,
    )
    service = models.ForeignKey(
        "manual.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_responses",
        help_text=_("Empty when the citizen chose “other”."),
    )
    service_other = models.CharField(_("other service"), max_length=200, blank=True)
    overall = score_field(_("overall satisfaction"))
    process = score_field(_("process and steps"))
    staff = score_field(_("staff"))
    facilities = score_field(_("facilities"))
    outcome = score_field(_("quality of the outcome"))
    asked_for_copy = models.BooleanField(_("asked for a copy of the ID card or house registration"))
    # Stored already masked (feedback.masking): the raw text never reaches the database.
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH, blank=True)
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACCEPTED
    )
    flag_reason = models.CharField(
        _("why it was held"), max_length=16, choices=FlagReason.choices, blank=True
    )
    # No index: nothing looks answers up by reviewer, and people are archived, not deleted.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True, editable=False)
    # Keyed hashes (HMAC with the site's secret) of the device cookie and of the network
    # address: enough to count answers per device and network, never the address itself.
    # Blanked after FEEDBACK_HASH_RETENTION_DAYS by `manage.py feedback_forget_hashes`.
    device_hash = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=_("device hash")
    )
    network_hash = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=_("network hash")
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now, editable=False)
    # Made by the citizen's phone when the form opens (core/app.js): an answer sent again (the
    # app's offline queue, a retry after a lost reply) is stored once (ADR 0091). Empty
    # without JavaScript; only answers that have one are in its unique index.
    submission = models.UUIDField(_("submission id"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("feedback response")
        verbose_name_plural = _("feedback responses")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["point", "-created_at"], name="fb_point_created"),
            models.Index(fields=["agency", "-created_at"], name="fb_agency_created"),
            models.Index(fields=["device_hash", "created_at"], name="fb_device_created"),
            models.Index(fields=["network_hash", "created_at"], name="fb_network_created"),
            # Only held answers are looked up by status (the review queue), so only they are
            # indexed: a counted answer's insert does not touch this index.
            models.Index(
                fields=["created_at"],
                name="fb_held_created",
                condition=models.Q(status="flagged"),
            ),
            # "Held for review" counted per point and per agency on their pages: without
            # these, counting read every held answer in the table (2.3 s at 100 M answers).
            models.Index(
                fields=["point"], name="fb_held_point", condition=models.Q(status="flagged")
            ),
            models.Index(
                fields=["agency"], name="fb_held_agency", condition=models.Q(status="flagged")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    overall__gte=1,
                    overall__lte=5,
                    process__gte=1,
                    process__lte=5,
                    staff__gte=1,
                    staff__lte=5,
                    facilities__gte=1,
                    facilities__lte=5,
                    outcome__gte=1,
                    outcome__lte=5,
                ),
                name="fb_scores_1_to_5",
            ),
            models.UniqueConstraint(
                fields=["submission"],
                condition=models.Q(submission__isnull=False),
                name="fb_submission_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} · {self.overall}/5 · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_counted(self) -> bool:
        return self.status == self.Status.ACCEPTED

    @property
    def can_be_replied(self) -> bool:
        return bool(self.contact_email) and self.status != self.Status.REJECTED

    def clean(self) -> None:
        if self.service_id is not None and self.service_other:
            raise ValidationError(
                {"service_other": _("Name another service only when you chose “other”.")}
            )
        if self.service_id is not None and self.point_id is not None:
            if self.service.agency_id != self.point.agency_id:
                raise ValidationError({"service": _("Choose a service of this agency.")})

    # --- transitions -------------------------------------------------------------------
    @transition(
        source=Status.ACCEPTED,
        target=Status.FLAGGED,
        refused=_("Only a new answer can be held for review."),
    )
    def flag(self, *, reason: str) -> None:
        """A new answer held back for review instead of counted (never silently dropped)."""
        if self.pk is not None:
            raise ValidationError(_("Only a new answer can be held for review."))
        if reason not in self.FlagReason.values or not reason:
            raise ValidationError(_("Give a reason for holding the answer."))
        self.flag_reason = reason

    @transition(
        source=Status.FLAGGED,
        target=Status.ACCEPTED,
        refused=_("Only an answer held for review can be accepted."),
    )
    def accept(self, *, by) -> None:
        """flagged → accepted: a reviewer found a real citizen's answer; it now counts."""
        self.reviewed_by = by
        self.reviewed_at = timezone.now()

    @transition(
        source=Status.FLAGGED,
        target=Status.REJECTED,
        refused=_("Only an answer held for review can be rejected."),
    )
    def reject(self, *, by) -> None:
        """flagged → rejected: kept for the record, never counted."""
        self.reviewed_by = by
        self.reviewed_at = timezone.now()

    def reopen(self) -> None:
        """accepted or rejected by a reviewer → flagged again: the reviewer's undo."""
        if self.status == self.Status.FLAGGED or not self.flag_reason or not self.reviewed_at:
            raise ValidationError(_("Only a reviewed answer can be put back for review."))
        self.status = self.Status.FLAGGED
        self.reviewed_by = None
        self.reviewed_at = None


class Reply(CleanTextMixin, models.Model):
    """An agency's answer to a citizen who left an email address; sent by the task queue."""

    response = models.ForeignKey(
        Response,
        on_delete=models.PROTECT,
        related_name="replies",
        verbose_name=_("feedback answer"),
    )
    body = models.TextField(_("reply"), max_length=3000)
    sent_to = models.EmailField(editable=False, verbose_name=_("sent to"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(
        default=timezone.now, editable=False, verbose_name=_("sent at")
    )

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"reply to {self.response_id}"


class PointDay(models.Model):
    """Sums of the accepted answers for one point on one day (Bangkok time)."""

    point = models.ForeignKey(
        "service_points.ServicePoint", on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    responses = models.PositiveIntegerField(default=0)
    copy_asked = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    overall_sum = models.PositiveIntegerField(default=0)
    overall_top2 = models.PositiveIntegerField(default=0)
    process_sum = models.PositiveIntegerField(default=0)
    process_top2 = models.PositiveIntegerField(default=0)
    staff_sum = models.PositiveIntegerField(default=0)
    staff_top2 = models.PositiveIntegerField(default=0)
    facilities_sum = models.PositiveIntegerField(default=0)
    facilities_top2 = models.PositiveIntegerField(default=0)
    outcome_sum = models.PositiveIntegerField(default=0)
    outcome_top2 = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["point", "day"], name="fb_pointday_unique")]
        indexes = [
            models.Index(fields=["agency", "day"], name="fb_pointday_agency_day"),
            models.Index(fields=["day"], name="fb_pointday_day"),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.day}: {self.responses}"


SUM_FIELDS = ["responses", "copy_asked", "comments"] + [
    f"{score}_{kind}" for score in SCORES for kind in ("sum", "top2")
]
