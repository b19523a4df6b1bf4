"""A citizen's account: signed in through ThaiD, never an agency `accounts.User` (ADR 0110).

The 13-digit ID is never stored: only the keyed pseudonym the GDX hub logs (HMAC-SHA256 with
the members' pseudonym key), which is how "who read my data" finds the citizen's entries.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import CleanTextMixin
from core.transitions import transition


class Citizen(CleanTextMixin, models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    pseudonym = models.CharField(_("pseudonym"), max_length=64, unique=True, editable=False)
    # The counter's keyed reference of the same ID (counter.hashing.citizen_ref, ADR 0080):
    # finds the No Copy verification records made about the citizen at a counter.
    counter_ref = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    name_th = models.CharField(_("name in Thai"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    # Identity assurance level ThaiD reported at the last sign-in (e.g. "2.3").
    ial = models.CharField(_("identity assurance level"), max_length=8, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("first sign-in"), default=timezone.now, editable=False)
    last_sign_in_at = models.DateTimeField(_("last sign-in"), default=timezone.now)
    # Consent to mail about new readings of their data (PDPA s.19): the address is one of the
    # citizen's confirmed contacts; withdrawing blanks both.
    notify_email = models.EmailField(_("notification email"), blank=True)
    notify_consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    # The highest GDX log index already mailed about: the next mail lists only newer ones.
    notified_up_to = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")

    def __str__(self) -> str:
        return self.name_th or self.name_en or f"citizen {self.pk}"

    @property
    def display_name(self) -> str:
        return str(self)

    @transition(source="active", target="archived")
    def archive(self) -> None:
        """Closed by the nightly retention after CITIZEN_INACTIVE_DAYS without a sign-in."""

    @transition(source="archived", target="active")
    def reactivate(self) -> None:
        """Signing in again brings an archived account back."""


class CitizenContact(CleanTextMixin, models.Model):
    """An email or phone the citizen proved is theirs with a one-time code: it links the
    complaints and feedback answers they gave with that contact to their space."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")

    citizen = models.ForeignKey(
        Citizen, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("citizen")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    value = models.CharField(_("email or phone"), max_length=254)
    # HMAC of the code with the site's secret: the code itself is only in the message sent.
    code_hash = models.CharField(max_length=64, blank=True, editable=False)
    code_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("citizen's contact")
        verbose_name_plural = _("citizens' contacts")
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["citizen", "kind", "value"], name="citizens_contact_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def clean(self) -> None:
        super().clean()
        if self.kind == self.Kind.EMAIL and "@" not in self.value:
            raise ValidationError({"value": _("Enter an email address.")})
