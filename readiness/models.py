"""The readiness survey (แบบสำรวจความพร้อม): one response per agency per round, in versions.

A response is a draft until it is submitted. Submitting again later starts a new version
(a copy of the last one); the older submitted version becomes "superseded" and stays, so
the history of an agency's answers is kept. `revision` counts saves of one version: a form
carries the revision it was drawn from, and a save from a stale form is refused (ADR 0050).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_thai_phone
from core.models import CleanTextMixin
from core.text import grapheme_length
from core.transitions import transition

COMMENT_MAX_CHARACTERS = 500
# 40,000 service points in the whole country (the seed); no single agency has more.
MAX_SERVICE_POINTS = 50_000
MAX_CARD_READERS = 100_000


class SurveyRound(models.Model):
    """A period in which agencies answer (Phase 1 of the seed ran 7–31 May 2018)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    name_th = models.CharField(_("name in Thai"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # Question 8's options this round offers; a round keeps every option it was answered with
    # (services.survey_round_save refuses removing one an answer chose).
    limitation_options = models.ManyToManyField(
        "LimitationOption",
        verbose_name=_("question 8's options"),
        blank=True,
        related_name="rounds",
    )

    class Meta:
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        ordering = ["-opens_on"]

    def __str__(self) -> str:
        if (get_language() or "th").startswith("en") and self.name_en:
            return self.name_en
        return self.name_th

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.ACTIVE and self.opens_on <= today <= self.closes_on

    def clean(self) -> None:
        if self.opens_on and self.closes_on:
            if self.closes_on < self.opens_on:
                raise ValidationError({"closes_on": _("A round cannot close before it opens.")})
            overlapping = SurveyRound.objects.filter(
                status=self.Status.ACTIVE,
                opens_on__lte=self.closes_on,
                closes_on__gte=self.opens_on,
            ).exclude(pk=self.pk)
            if self.status == self.Status.ACTIVE and overlapping.exists():
                raise ValidationError(
                    _("Another round is open during some of these dates: %(name)s.")
                    % {"name": overlapping.first()}
                )

    @transition(
        source=Status.ACTIVE, target=Status.ARCHIVED, refused=_("This round is already archived.")
    )
    def archive(self) -> None:
        pass


class SurveyReminder(models.Model):
    """One reminder mail to one member about one round: running the reminders again within
    READINESS_REMINDER_INTERVAL_DAYS mails nobody twice."""

    round = models.ForeignKey(
        SurveyRound,
        verbose_name=_("survey round"),
        on_delete=models.PROTECT,
        related_name="reminders",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member reminded"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("survey reminder")
        verbose_name_plural = _("survey reminders")
        indexes = [models.Index(fields=["round", "user", "sent_at"], name="rd_reminder_recent")]

    def __str__(self) -> str:
        return f"{self.round_id} → {self.user_id} at {self.sent_at:%Y-%m-%d %H:%M}"


class LimitationOption(CleanTextMixin, models.Model):
    """One of question 8's limitations (ก / ข / ค …): not in the seed, edited by administrators."""

    letter = models.CharField(_("letter"), max_length=4, unique=True)
    text_th = models.CharField(_("text in Thai"), max_length=300)
    text_en = models.CharField(_("text in English"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(
        _("available for rounds"),
        default=True,
        help_text=_(
            "Untick instead of deleting: it can no longer be added to a round; rounds that "
            "offer it and earlier answers keep it."
        ),
    )

    class Meta:
        verbose_name = _("limitation option")
        verbose_name_plural = _("limitation options")
        ordering = ["position", "letter"]

    def __str__(self) -> str:
        return f"{self.letter}. {self.text}"

    @property
    def text(self) -> str:
        if (get_language() or "th").startswith("en") and self.text_en:
            return self.text_en
        return self.text_th


class SurveyResponse(CleanTextMixin, models.Model):
    """One version of one agency's answers in one round."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        SUPERSEDED = "superseded", _("Replaced by a later version")

    class InfoSystem(models.TextChoices):
        YES = "yes", pgettext_lazy("readiness", "Yes")
        NO = "no", pgettext_lazy("readiness", "No")
        DEVELOPING = (
            "developing",
            pgettext_lazy("readiness", "Under development, expected completion"),
        )

    class Channel(models.TextChoices):
        OFFICE = "office", pgettext_lazy("readiness", "Office")
        WEBSITE = "website", pgettext_lazy("readiness", "Website")
        KIOSK = "kiosk", pgettext_lazy("readiness", "Kiosk")
        MOBILE = "mobile", pgettext_lazy("readiness", "Mobile Application")
        OTHER = "other", pgettext_lazy("readiness", "Other, please specify")

    class Plan(models.TextChoices):
        YES = "yes", pgettext_lazy("readiness", "Yes, expected completion")
        NO_POLICY = (
            "no_policy",
            pgettext_lazy("readiness", "No policy yet to stop asking for copies"),
        )
        NOT_SURE = "not_sure", pgettext_lazy("readiness", "Not sure, please give the reason")

    class Mou(models.TextChoices):
        YES = "yes", pgettext_lazy("readiness", "Yes")
        NO = "no", pgettext_lazy("readiness", "No")
        NOT_SURE = "not_sure", pgettext_lazy("readiness", "Not sure")

    class Linkage(models.TextChoices):
        LINKED = "linked", pgettext_lazy("readiness", "Linked")
        NOT_YET = "not_yet", pgettext_lazy("readiness", "Not yet linked")
        IN_PROGRESS = "in_progress", pgettext_lazy("readiness", "Being linked, expected completion")

    class Readers(models.TextChoices):
        SUFFICIENT = "sufficient", pgettext_lazy("readiness", "Sufficient")
        INSUFFICIENT = "insufficient", pgettext_lazy("readiness", "Not sufficient")

    class Limitations(models.TextChoices):
        NONE = "none", pgettext_lazy("readiness", "No limitations")
        SOME = (
            "some",
            pgettext_lazy("readiness", "Has limitations (choose ก / ข / ค; more than one allowed)"),
        )

    round = models.ForeignKey(
        SurveyRound,
        verbose_name=_("survey round"),
        on_delete=models.PROTECT,
        related_name="responses",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="readiness_responses",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    revision = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("revision"))

    # Header: a snapshot of the agency as it was, and the person answering.
    agency_code = models.CharField(_("agency code"), max_length=32, blank=True)
    ministry_name = models.CharField(_("ministry"), max_length=255, blank=True)
    department_name = models.CharField(_("department"), max_length=255, blank=True)
    unit_name = models.CharField(_("unit"), max_length=255, blank=True)
    respondent_first_name = models.CharField(_("first name"), max_length=150, blank=True)
    respondent_last_name = models.CharField(_("last name"), max_length=150, blank=True)
    respondent_email = models.EmailField(_("email"), blank=True)
    respondent_phone = models.CharField(
        _("phone"), max_length=24, blank=True, validators=[validate_thai_phone]
    )

    q1_system = models.CharField(
        _("1. Does your agency have an information system for citizen services?"),
        max_length=16,
        choices=InfoSystem.choices,
        blank=True,
    )
    q1_expected_on = models.DateField(
        pgettext_lazy("readiness", "Expected completion date"), null=True, blank=True
    )
    q2_channels = models.JSONField(
        _("2. Service channels (more than one answer allowed)"), default=list, blank=True
    )
    q2_other = models.CharField(_("Other channel"), max_length=255, blank=True)
    q3_service_points = models.PositiveIntegerField(
        _("3. How many citizen service points does your agency have?"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_SERVICE_POINTS)],
    )
    q4_plan = models.CharField(
        _("4. Does your agency plan to stop asking for these copies?"),
        max_length=16,
        choices=Plan.choices,
        blank=True,
    )
    q4_expected_on = models.DateField(
        pgettext_lazy("readiness", "Expected completion date"), null=True, blank=True
    )
    q4_reason = models.TextField(pgettext_lazy("readiness", "Reason"), max_length=1000, blank=True)
    q5_mou = models.CharField(
        _("5. Does your agency have an MOU with the Department of Provincial Administration?"),
        max_length=16,
        choices=Mou.choices,
        blank=True,
    )
    q6_linkage = models.CharField(
        _("6. Does your agency link data with the Department of Provincial Administration?"),
        max_length=16,
        choices=Linkage.choices,
        blank=True,
    )
    q6_expected_on = models.DateField(
        pgettext_lazy("readiness", "Expected completion date"), null=True, blank=True
    )
    q7_readers = models.CharField(
        _("7. Does your agency have enough Smart Card Readers?"),
        max_length=16,
        choices=Readers.choices,
        blank=True,
    )
    q7_readers_owned = models.PositiveIntegerField(
        _("Number of readers owned"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_CARD_READERS)],
    )
    q7_readers_needed = models.PositiveIntegerField(
        _("Number of readers needed"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_CARD_READERS)],
    )
    q8_limitations = models.CharField(
        _("8. Does your agency have limitations on stopping these copies?"),
        max_length=16,
        choices=Limitations.choices,
        blank=True,
    )
    q8_options = models.ManyToManyField(
        LimitationOption, verbose_name=_("Limitations"), blank=True, related_name="+"
    )
    comment = models.TextField(_("Suggestions or further comments"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("updated by"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["agency", "-round__opens_on", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "round", "version"], name="readiness_version_unique"
            ),
            models.UniqueConstraint(
                fields=["agency", "round"],
                condition=models.Q(status="draft"),
                name="readiness_one_draft",
            ),
        ]
        indexes = [models.Index(fields=["status", "agency"], name="readiness_status_agency")]

    def __str__(self) -> str:
        return f"{self.agency} · {self.round} · v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("readiness:response", kwargs={"pk": self.pk})

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def channel_labels(self) -> list[str]:
        labels = dict(self.Channel.choices)
        return [str(labels[c]) for c in self.q2_channels if c in labels]

    # --- rules ------------------------------------------------------------------------
    def clear_unchosen_conditionals(self) -> None:
        """A conditional answer only counts with its choice: the others are emptied."""
        if self.q1_system != self.InfoSystem.DEVELOPING:
            self.q1_expected_on = None
        if self.Channel.OTHER not in (self.q2_channels or []):
            self.q2_other = ""
        if self.q4_plan != self.Plan.YES:
            self.q4_expected_on = None
        if self.q4_plan != self.Plan.NOT_SURE:
            self.q4_reason = ""
        if self.q6_linkage != self.Linkage.IN_PROGRESS:
            self.q6_expected_on = None
        if self.q7_readers != self.Readers.SUFFICIENT:
            self.q7_readers_owned = None
        if self.q7_readers != self.Readers.INSUFFICIENT:
            self.q7_readers_needed = None

    def clean(self) -> None:
        errors: dict[str, list] = {}
        channels = self.q2_channels or []
        if not isinstance(channels, list) or any(c not in self.Channel.values for c in channels):
            errors["q2_channels"] = [_("Choose channels from the list.")]
        if grapheme_length(self.comment or "") > COMMENT_MAX_CHARACTERS:
            errors["comment"] = [
                _("Write at most %(max)d characters (you wrote %(count)d).")
                % {"max": COMMENT_MAX_CHARACTERS, "count": grapheme_length(self.comment)}
            ]
        if self.is_draft:
            # Only answers being edited now must look forward; a 2018 answer stays valid.
            today = timezone.localdate()
            for name in ("q1_expected_on", "q4_expected_on", "q6_expected_on"):
                value = getattr(self, name)
                if value is not None and value < today:
                    errors[name] = [_("The expected completion date cannot be in the past.")]
        if errors:
            raise ValidationError(errors)

    def missing_answers(self, *, limitation_count: int) -> dict[str, str]:
        """Every required answer not given yet, by field: submitting needs none missing."""
        checks = [*self._respondent_checks(), *self._question_checks(limitation_count)]
        return {name: message for name, is_missing, message in checks if is_missing}

    def _respondent_checks(self) -> list[tuple[str, bool, str]]:
        names = ("respondent_first_name", "respondent_last_name")
        names += ("respondent_email", "respondent_phone")
        return [(name, not getattr(self, name), _("This field is required.")) for name in names]

    def _question_checks(self, limitation_count: int) -> list[tuple[str, bool, str]]:
        """(field, missing?, message) in the questionnaire's order; a follow-up answer is
        needed only after the choice that asks for it."""
        choose = _("Choose one answer.")
        date_needed = _("Give the expected completion date.")
        q1, q4, q6, q7, q8 = (
            self.q1_system,
            self.q4_plan,
            self.q6_linkage,
            self.q7_readers,
            self.q8_limitations,
        )
        return [
            ("q1_system", not q1, choose),
            (
                "q1_expected_on",
                q1 == self.InfoSystem.DEVELOPING and not self.q1_expected_on,
                date_needed,
            ),
            ("q2_channels", not self.q2_channels, _("Choose at least one channel.")),
            (
                "q2_other",
                self.Channel.OTHER in (self.q2_channels or []) and not self.q2_other.strip(),
                _("Say which other channel."),
            ),
            (
                "q3_service_points",
                self.q3_service_points is None,
                _("Give the number of service points."),
            ),
            ("q4_plan", not q4, choose),
            ("q4_expected_on", q4 == self.Plan.YES and not self.q4_expected_on, date_needed),
            (
                "q4_reason",
                q4 == self.Plan.NOT_SURE and not self.q4_reason.strip(),
                _("Give the reason."),
            ),
            ("q5_mou", not self.q5_mou, choose),
            ("q6_linkage", not q6, choose),
            (
                "q6_expected_on",
                q6 == self.Linkage.IN_PROGRESS and not self.q6_expected_on,
                date_needed,
            ),
            ("q7_readers", not q7, choose),
            (
                "q7_readers_owned",
                q7 == self.Readers.SUFFICIENT and self.q7_readers_owned is None,
                _("Give the number of readers you have."),
            ),
            (
                "q7_readers_needed",
                q7 == self.Readers.INSUFFICIENT and not self.q7_readers_needed,
                _("Give the number of readers you need."),
            ),
            ("q8_limitations", not q8, choose),
            (
                "q8_options",
                q8 == self.Limitations.SOME and limitation_count == 0,
                _("Choose at least one limitation."),
            ),
        ]

    # --- transitions ------------------------------------------------------------------
    @transition(
        source=Status.DRAFT, target=Status.SUBMITTED, refused=_("Only a draft can be submitted.")
    )
    def submit(self, *, by, limitation_count: int) -> None:
        """draft → submitted, only with every required answer."""
        missing = self.missing_answers(limitation_count=limitation_count)
        if missing:
            raise ValidationError({name: [message] for name, message in missing.items()})
        self.submitted_at = timezone.now()
        self.submitted_by = by

    @transition(
        source=Status.SUBMITTED,
        target=Status.SUPERSEDED,
        refused=_("Only a submitted response can be replaced."),
    )
    def supersede(self) -> None:
        """submitted → superseded, when a later version of the same round is submitted."""


class SurveyProcessRow(CleanTextMixin, models.Model):
    """One process (a Citizen's Manual service) in the survey's table, with its two ticks."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="rows")
    service = models.ForeignKey(
        "manual.Service", verbose_name=_("process"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)
    service_name = models.CharField(_("process / manual"), max_length=300)
    needs_id_card_copy = models.BooleanField(
        pgettext_lazy("readiness", "Copy of ID card"), default=False
    )
    needs_house_registration_copy = models.BooleanField(
        pgettext_lazy("readiness", "Copy of house registration"), default=False
    )

    class Meta:
        verbose_name = _("process row")
        verbose_name_plural = _("process rows")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "service"], name="readiness_row_unique")
        ]

    def __str__(self) -> str:
        return self.service_name
