"""The counter: how each service checks identity, and the record kept instead of a copy."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.transitions import transition


class ServicePath(models.Model):
    """Which of the seed's ways an agency uses for one service (ADR 0080)."""

    class Path(models.TextChoices):
        OFFLINE = "offline", _("Read the ID card with a smart-card reader")
        ONLINE_DOPA = "online_dopa", _("Ask the civil registration online (DOPA's tools)")
        ONLINE_EGA = "online_ega", _("Ask the civil registration online through GDX (EGA)")

    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        "manual.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="counter_paths",
    )
    path = models.CharField(_("way of checking"), max_length=16, choices=Path.choices)
    gdx_purpose = models.CharField(
        _("GDX purpose"),
        max_length=200,
        blank=True,
        help_text=_("The purpose exactly as granted in your GDX access right."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("service path")
        verbose_name_plural = _("service paths")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "service"], name="counter_path_one_per_service"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.path}"

    def clean(self) -> None:
        if self.service_id and self.agency_id and self.service.agency_id != self.agency_id:
            raise ValidationError({"service": _("This service belongs to another agency.")})


class VerificationRecord(models.Model):
    """One counter transaction served without a photocopy. Holds a keyed hash of the data the
    service used, never the data (PDPA: data minimisation)."""

    class Source(models.TextChoices):
        CARD = "card", _("ID card read with a card reader")
        GDX = "gdx", _("Civil registration asked through GDX")
        SEEN = "seen", _("Citizen showed the card; the officer checked it by eye")

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        VOIDED = "voided", _("Voided")

    class Field(models.TextChoices):
        CITIZEN_ID = "citizen_id", _("Citizen ID")
        NAME_TH = "name_th", _("Name in Thai")
        NAME_EN = "name_en", _("Name in English")
        BIRTH_DATE = "birth_date", _("Date of birth")
        ADDRESS = "address", _("Address")
        HOUSE_MEMBERS = "house_members", _("House registration members")
        JURISTIC = "juristic", _("Juristic person's record")

    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        "manual.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="verification_records",
    )
    point = models.ForeignKey(
        "service_points.ServicePoint",
        verbose_name=_("service point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    document_type = models.CharField(_("document"), max_length=32, blank=True)
    fields_used = models.JSONField(_("fields used"), default=list)
    data_hash = models.CharField(_("hash of the data"), max_length=64)
    citizen_ref = models.CharField(_("citizen reference"), max_length=64, db_index=True)
    consent = models.BooleanField(_("citizen present and consented"), default=False)
    card_expired = models.BooleanField(_("card had expired"), default=False)
    gdx_request_id = models.UUIDField(_("GDX request id"), null=True, blank=True, unique=True)
    gdx_log_index = models.BigIntegerField(_("GDX log index"), null=True, blank=True)
    gdx_inclusion_proof = models.JSONField(_("GDX inclusion proof"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.RECORDED
    )
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("verification record")
        verbose_name_plural = _("verification records")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "status", "created_at"])]

    def __str__(self) -> str:
        return str(self.reference)

    def get_absolute_url(self) -> str:
        return reverse("counter:record", args=[self.reference])

    @property
    def fields_used_labels(self) -> list[str]:
        labels = dict(self.Field.choices)
        return [str(labels.get(f, f)) for f in self.fields_used]

    def clean(self) -> None:
        errors = {}
        if self.service_id and self.agency_id and self.service.agency_id != self.agency_id:
            errors["service"] = _("This service belongs to another agency.")
        if self.point_id and self.agency_id and self.point.agency_id != self.agency_id:
            errors["point"] = _("This service point belongs to another agency.")
        if self.source == self.Source.GDX and not (self.gdx_request_id and self.consent):
            errors["consent"] = _(
                "A GDX answer needs its request and the citizen's consent to be recorded."
            )
        if not self.fields_used:
            errors["fields_used"] = _("Tick at least one field the service used.")
        if errors:
            raise ValidationError(errors)

    # --- transitions --------------------------------------------------------------------
    @transition(
        source=Status.RECORDED,
        target=Status.VOIDED,
        refused=_("Only a recorded transaction can be voided."),
    )
    def void(self, *, by, reason: str) -> None:
        if not reason.strip():
            raise ValidationError({"void_reason": _("Say why the record is voided.")})
        self.voided_at = timezone.now()
        self.voided_by = by
        self.void_reason = reason.strip()
