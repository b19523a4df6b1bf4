"""The Citizen's Manual (คู่มือประชาชน): one record per service an agency provides.

Officers edit the working copy (the `Service` row and its steps, documents, fees and
channels). Citizens never see the working copy: they see the snapshot stored in the
latest `ServiceVersion`, written when the service is published. Every publication is a new
version, so a citizen can see when the requirements changed (ADR 0020).
"""

import io
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.models import CleanTextMixin
from core.transitions import transition
from manual.provinces import province_name

service_code_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$",
    _("Use lowercase English letters, digits and hyphens, not starting or ending with a hyphen."),
)


class DurationUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")
    WORKING_DAYS = "working_days", _("working days")


class Service(CleanTextMixin, models.Model):
    """A service (process) in an agency's Citizen's Manual."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Category(models.TextChoices):
        CIVIL_REGISTRATION = "civil_registration", _("Civil registration and ID cards")
        LAND = "land", _("Land and property")
        TRANSPORT = "transport", _("Vehicles and driving")
        BUSINESS = "business", _("Business and commerce")
        TAX = "tax", _("Tax")
        SOCIAL = "social", _("Social security and welfare")
        TRAVEL = "travel", _("Passports and travel")
        HEALTH = "health", _("Health")
        EMPLOYMENT = "employment", _("Work and employment")
        LICENCE = "licence", _("Licences and permits")
        OTHER = "other", _("Other")

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="manual_services"
    )
    code = models.CharField(
        _("code"),
        max_length=64,
        validators=[service_code_validator],
        help_text=_(
            "A short name in English for this service, unique in your agency, "
            "used when importing (for example id-card-new)."
        ),
    )
    name_th = models.CharField(_("name in Thai"), max_length=300)
    name_en = models.CharField(_("name in English"), max_length=300, blank=True)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    keywords = models.CharField(
        _("other words people use"),
        max_length=300,
        blank=True,
        help_text=_("Separate with spaces, for example: ใบขับขี่ passport"),
    )
    description = models.TextField(_("what this service is"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    criteria = models.TextField(_("criteria and conditions"), blank=True)
    total_duration_value = models.PositiveIntegerField(
        _("total time"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    total_duration_unit = models.CharField(
        _("unit of total time"), max_length=16, choices=DurationUnit.choices, blank=True
    )
    no_fee = models.BooleanField(
        _("there is no fee"),
        default=False,
        help_text=_("The Act requires the manual to say so explicitly when there is no fee."),
    )
    complaint_channels = models.TextField(_("where to complain"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    offered_at = models.ManyToManyField(
        "service_points.ServicePoint",
        verbose_name=_("service points that offer it"),
        blank=True,
        related_name="manual_services",
    )
    # Set when the working copy differs from what citizens see.
    has_unpublished_changes = models.BooleanField(default=True, editable=False)
    # What the public list and search read, written at publication only.
    current_version = models.ForeignKey(
        "manual.ServiceVersion",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    listed_name_th = models.CharField(max_length=300, blank=True, editable=False)
    listed_name_en = models.CharField(max_length=300, blank=True, editable=False)
    listed_category = models.CharField(max_length=32, blank=True, editable=False)
    # ",10,50," - the provinces of the published channels, for the province filter.
    listed_provinces = models.CharField(max_length=400, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    published_at = models.DateTimeField(_("last published"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name_th"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "code"],
                name="manual_service_code_unique",
                violation_error_message=_("Your agency already has a service with this code."),
            )
        ]
        indexes = [
            models.Index(fields=["status", "listed_category"]),
            models.Index(fields=["agency", "status"]),
        ]

    def __str__(self) -> str:
        return self.name_th

    def get_absolute_url(self) -> str:
        return reverse("manual:detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if bool(self.total_duration_value) != bool(self.total_duration_unit):
            raise ValidationError(
                {"total_duration_unit": _("Give both the total time and its unit, or neither.")}
            )

    # --- transitions -------------------------------------------------------------------
    @transition(
        source=(Status.DRAFT, Status.PUBLISHED),
        target=Status.PUBLISHED,
        refused=_("An archived service cannot be published. Reopen it first."),
    )
    def publish(self) -> None:
        """draft → published, or published → published (a new version). Never from archived."""
        if self.status == self.Status.PUBLISHED and not self.has_unpublished_changes:
            raise ValidationError(_("Nothing has changed since the last publication."))
        self.published_at = timezone.now()
        self.has_unpublished_changes = False

    @transition(
        source=(Status.DRAFT, Status.PUBLISHED),
        target=Status.ARCHIVED,
        refused=_("This service is already archived."),
    )
    def archive(self) -> None:
        """draft or published → archived: it leaves the public manual, its history stays."""

    @transition(
        source=Status.ARCHIVED,
        target=Status.DRAFT,
        refused=_("Only an archived service can be reopened."),
    )
    def reopen(self) -> None:
        """archived → draft, to be edited and published again."""
        self.has_unpublished_changes = True


class ServiceStep(CleanTextMixin, models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    description = models.TextField(_("what happens"), max_length=2000)
    duration_value = models.PositiveIntegerField(
        _("time it takes"), validators=[MinValueValidator(1)]
    )
    duration_unit = models.CharField(_("unit"), max_length=16, choices=DurationUnit.choices)
    responsible_unit = models.CharField(_("responsible unit"), max_length=300)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.description[:60]


class RequiredDocument(CleanTextMixin, models.Model):
    class Form(models.TextChoices):
        ORIGINAL = "original", _("Original")
        COPY = "copy", _("Copy")
        ORIGINAL_AND_COPY = "original_and_copy", _("Original and copy")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="documents")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("document"), max_length=300)
    form = models.CharField(_("original or copy"), max_length=20, choices=Form.choices)
    count = models.PositiveSmallIntegerField(
        _("number of copies"), default=1, validators=[MinValueValidator(1)]
    )
    issuing_agency = models.CharField(_("issued by"), max_length=300, blank=True)
    is_id_card_copy = models.BooleanField(_("this is a copy of the ID card"), default=False)
    is_house_registration_copy = models.BooleanField(
        _("this is a copy of the house registration"), default=False
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.is_id_card_copy or self.is_house_registration_copy) and self.form == (
            self.Form.ORIGINAL
        ):
            raise ValidationError(
                {
                    "form": _(
                        "A document marked as a copy of the ID card or house registration "
                        "must be a copy."
                    )
                }
            )


class ServiceFee(CleanTextMixin, models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="fees")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    description = models.CharField(_("what the fee is for"), max_length=300)
    amount = models.DecimalField(
        _("amount (baht)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="manual_fee_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.description


class ServiceChannel(CleanTextMixin, models.Model):
    class Kind(models.TextChoices):
        OFFICE = "office", _("At the office")
        E_SERVICE = "e_service", _("Online (e-service)")
        MOBILE = "mobile", _("Mobile application")
        KIOSK = "kiosk", _("Kiosk")
        PHONE = "phone", _("Telephone")
        POST = "post", _("By post")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="channels")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("channel"), max_length=16, choices=Kind.choices)
    place = models.CharField(_("place"), max_length=300, blank=True)
    province = models.CharField(
        _("province"),
        max_length=2,
        blank=True,
        help_text=_("Where the place is; leave empty for a channel that works anywhere."),
    )
    opening_hours = models.CharField(_("opening hours"), max_length=300, blank=True)
    url = models.URLField(_("e-service link"), blank=True, max_length=500)

    class Meta:
        verbose_name = _("service channel")
        verbose_name_plural = _("service channels")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.place or self.get_kind_display()

    def clean(self) -> None:

        if self.province and province_name(self.province) is None:
            raise ValidationError({"province": _("Choose a province from the list.")})
        if self.kind == self.Kind.E_SERVICE and not self.url:
            raise ValidationError({"url": _("Give the link to the e-service.")})
        if self.kind == self.Kind.OFFICE and not self.place:
            raise ValidationError({"place": _("Say where the office is.")})


SAMPLE_FORM_TYPES = {
    # extension: (content type, leading bytes it must start with). Issue 17: PDF, DOCX and
    # XLSX only, each checked by its content (`_content_is`), not by its name.
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
}
# The part every such package must hold (ECMA-376 Part 2: [Content_Types].xml, then the
# main document part).
_OOXML_MAIN_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
_OOXML_MAX_UNPACKED = 100 * 1024 * 1024
_OOXML_MAX_PARTS = 2000


def _content_is(extension: str, upload) -> bool:
    """The whole file is what its extension says: a PDF that ends as one, or an OOXML
    package (not a zip bomb) with its main part."""
    import zipfile

    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if extension == ".pdf":
        return data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            if len(infos) > _OOXML_MAX_PARTS:
                return False
            if sum(i.file_size for i in infos) > _OOXML_MAX_UNPACKED:
                return False
            names = {i.filename for i in infos}
            return "[Content_Types].xml" in names and _OOXML_MAIN_PART[extension] in names
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def sample_form_max_bytes() -> int:
    return int(getattr(settings, "MANUAL_FORM_MAX_BYTES", 5 * 1024 * 1024))


def validate_sample_form_file(upload) -> None:
    """Size, extension and the file's own first bytes must all agree."""
    limit = sample_form_max_bytes()
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large: at most %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            code="too_large",
        )
    extension = Path(upload.name or "").suffix.lower()
    if extension not in SAMPLE_FORM_TYPES:
        raise ValidationError(
            _("This type of file is not accepted. Use PDF, Word (.docx) or Excel (.xlsx)."),
            code="wrong_type",
        )
    _content_type, signatures = SAMPLE_FORM_TYPES[extension]
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    if not any(head.startswith(signature) for signature in signatures) or not _content_is(
        extension, upload
    ):
        raise ValidationError(
            _("The file's content does not match its name (%(ext)s).") % {"ext": extension},
            code="wrong_content",
        )


def sample_form_path(instance: "SampleForm", filename: str) -> str:
    extension = Path(filename).suffix.lower()
    # Unguessable: a name cannot be found by counting timestamps.
    return f"manual/forms/{instance.service_id}/{secrets.token_urlsafe(24)}{extension}"


class SampleForm(CleanTextMixin, models.Model):
    """A blank or filled-in example of a form the citizen fills in (แบบฟอร์ม ตัวอย่าง)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="sample_forms")
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(
        _("file"),
        upload_to=sample_form_path,
        validators=[validate_sample_form_file],
        max_length=300,
    )
    content_type = models.CharField(max_length=120, editable=False)
    size = models.PositiveIntegerField(editable=False, default=0)
    is_archived = models.BooleanField(default=False, editable=False)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("sample form")
        verbose_name_plural = _("sample forms")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("manual:sample_form", kwargs={"pk": self.service_id, "form_pk": self.pk})


class ServiceVersion(models.Model):
    """One publication of a service: what citizens saw from `published_at` on."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    snapshot = models.JSONField()
    # What changed against the previous version (documents added/removed/changed, fees, steps).
    changes = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")
        ordering = ["service", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="manual_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} v{self.number}"
