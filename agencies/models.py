from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import CleanTextMixin
from core.text import normalize_for_search
from core.transitions import transition

agency_code_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$",
    _(
        "Use 1–32 lowercase English letters, digits and hyphens, not starting or ending with a hyphen."
    ),
)
digits_validator = RegexValidator(r"^\d+$", _("Use digits only."))


class Agency(CleanTextMixin, models.Model):
    """A ministry, department or unit in the national directory.

    `code` is ours and never changes; official codes from other registries are stored
    beside it only when they are known (we never make one up).
    """

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        INDEPENDENT = "independent", _("Agency outside any ministry")
        DEPARTMENT = "department", _("Department")
        UNIT = "unit", _("Unit")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    code = models.CharField(
        _("code"), max_length=32, unique=True, validators=[agency_code_validator]
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The top of this agency's tree (itself for a ministry or an independent agency):
    # filled on save so reports can group by ministry without walking the tree.
    ministry = models.ForeignKey(
        "self",
        verbose_name=_("ministry"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name_th = models.CharField(_("name in Thai"), max_length=255)
    name_en = models.CharField(_("name in English"), max_length=255, blank=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=32, blank=True)
    gfmis_code = models.CharField(
        _("GFMIS agency code"), max_length=10, blank=True, validators=[digits_validator]
    )
    tax_id = models.CharField(
        _("tax identification number"),
        max_length=13,
        blank=True,
        validators=[RegexValidator(r"^\d{13}$", _("Enter the 13-digit number."))],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    search_text = models.TextField(editable=False, blank=True, verbose_name=_("search text"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name_th"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return self.name_th

    def get_absolute_url(self) -> str:
        return reverse("agencies:detail", kwargs={"code": self.code})

    @property
    def login_identity(self) -> str:
        return f"{self.code}@{settings.AGENCY_LOGIN_DOMAIN}"

    def lineage(self) -> list["Agency"]:
        """This agency and its ancestors, top first (ministry, department, unit)."""
        chain: list[Agency] = []
        node: Agency | None = self
        while node is not None and len(chain) < 8:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def clean(self) -> None:
        top_level = (self.Kind.MINISTRY.value, self.Kind.INDEPENDENT.value)
        if self.kind in top_level and self.parent_id:
            raise ValidationError({"parent": _("A ministry-level agency is not part of another.")})
        if self.kind in top_level:
            return
        parent = self.parent if self.parent_id else None
        if parent is None:
            raise ValidationError({"parent": _("Choose the agency this one belongs to.")})
        if self.kind == self.Kind.DEPARTMENT and parent.kind not in top_level:
            raise ValidationError(
                {"parent": _("A department belongs to a ministry or an independent agency.")}
            )
        if parent.kind == self.Kind.UNIT:
            raise ValidationError({"parent": _("A unit cannot contain other agencies.")})
        if self.pk and any(a.pk == self.pk for a in parent.lineage()):
            raise ValidationError({"parent": _("An agency cannot be part of itself.")})

    def save(self, *args, **kwargs):
        self.search_text = normalize_for_search(
            " ".join([self.code, self.name_th, self.name_en, self.abbreviation, self.gfmis_code])
        )
        self.ministry = self.lineage()[0] if self.parent_id else None
        super().save(*args, **kwargs)

    @transition(
        source=Status.ACTIVE, target=Status.ARCHIVED, refused=_("This agency is already archived.")
    )
    def archive(self) -> None:
        pass


class AgencyRequest(CleanTextMixin, models.Model):
    """ "My agency is not listed" (แจ้งหน่วยงาน): reviewed by an EGA administrator."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Added to the directory")
        REJECTED = "rejected", _("Rejected")

    name_th = models.CharField(_("agency name in Thai"), max_length=255)
    name_en = models.CharField(_("agency name in English"), max_length=255, blank=True)
    parent = models.ForeignKey(
        Agency,
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The ministry or department it belongs to, if it is listed."),
    )
    requester_name = models.CharField(_("your name"), max_length=200)
    requester_email = models.EmailField(_("your email"))
    requester_phone = models.CharField(_("your phone"), max_length=20)
    note = models.TextField(_("anything else we should know"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    review_note = models.TextField(_("review note"), blank=True)
    created_agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agency created"),
    )

    class Meta:
        verbose_name = _("missing-agency report")
        verbose_name_plural = _("missing-agency reports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name_th

    REVIEWED = _("This report has already been reviewed.")

    def _review(self, *, by, note: str) -> None:
        self.reviewed_by = by
        self.reviewed_at = timezone.now()
        self.review_note = note

    @transition(source=Status.PENDING, target=Status.APPROVED, refused=REVIEWED)
    def approve(self, *, by, agency: Agency, note: str = "") -> None:
        self._review(by=by, note=note)
        self.created_agency = agency

    @transition(source=Status.PENDING, target=Status.REJECTED, refused=REVIEWED)
    def reject(self, *, by, note: str) -> None:
        self._review(by=by, note=note)
