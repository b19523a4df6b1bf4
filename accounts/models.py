import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_thai_phone
from core.models import CleanTextMixin
from core.transitions import transition


class CitizenInfoUserManager(UserManager):
    def create_superuser(self, username=None, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", User.Role.EGA_ADMIN)
        return super().create_superuser(username or email, email, password, **extra_fields)


class User(AbstractUser):
    """A person. Agency staff belong to exactly one agency; EGA and overseers to none or theirs."""

    class Role(models.TextChoices):
        EGA_ADMIN = "ega_admin", _("EGA administrator")
        OVERSEER = "overseer", _("Overseer (read-only)")
        AGENCY_ADMIN = "agency_admin", _("Agency administrator")
        AGENCY_OFFICER = "agency_officer", _("Agency officer")

    email = models.EmailField(_("email"), unique=True)
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.AGENCY_OFFICER
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    phone = models.CharField(_("phone"), max_length=24, blank=True)

    objects = CitizenInfoUserManager()  # type: ignore[misc]
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_ega_admin(self) -> bool:
        return self.is_active and (self.role == self.Role.EGA_ADMIN or self.is_superuser)

    @property
    def is_overseer(self) -> bool:
        return self.is_active and self.role == self.Role.OVERSEER

    @property
    def is_agency_staff(self) -> bool:
        return (
            self.is_active
            and self.agency_id is not None
            and self.role
            in (
                self.Role.AGENCY_ADMIN,
                self.Role.AGENCY_OFFICER,
            )
        )


class Registration(CleanTextMixin, models.Model):
    """One request for an agency's credentials: the seed's ระบบลงทะเบียน.

    Every row stays: the agency's members see everyone who ever claimed to be them.
    """

    class Status(models.TextChoices):
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        AWAITING_ACTIVATION = "awaiting_activation", _("Link sent, not yet used")
        ACTIVATED = "activated", _("Active")
        REJECTED = "rejected", _("Rejected")

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("applicant")
    )
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=24, validators=[validate_thai_phone])
    status = models.CharField(_("status"), max_length=24, choices=Status.choices)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    decided_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    activated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("activated at"))

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} <{self.email}>"

    REFUSED = _("A registration that is “%(status)s” cannot change this way.")

    @transition(source=Status.PENDING_APPROVAL, target=Status.AWAITING_ACTIVATION, refused=REFUSED)
    def approve(self, *, by: User) -> None:
        self.decided_by, self.decided_at = by, timezone.now()

    @transition(source=Status.PENDING_APPROVAL, target=Status.REJECTED, refused=REFUSED)
    def reject(self, *, by: User) -> None:
        self.decided_by, self.decided_at = by, timezone.now()

    @transition(source=Status.AWAITING_ACTIVATION, target=Status.ACTIVATED, refused=REFUSED)
    def activate(self) -> None:
        self.activated_at = timezone.now()


class EmailToken(models.Model):
    """A single-use, expiring link sent by email. Only the SHA-256 of the secret is stored."""

    class Purpose(models.TextChoices):
        ACTIVATE = "activate", _("Set a first password")
        RESET = "reset", _("Reset a password")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="email_tokens")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("email link")
        verbose_name_plural = _("email links")

    def __str__(self) -> str:
        return f"{self.purpose} link for user {self.user_id}"

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, purpose: str) -> tuple["EmailToken", str]:
        secret = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            purpose=purpose,
            token_hash=cls.hash(secret),
            expires_at=timezone.now() + timedelta(hours=settings.EMAIL_LINK_MAX_AGE_HOURS),
        )
        return token, secret

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    def use(self) -> None:
        if self.used_at is not None:
            raise ValidationError(_("This link has already been used."), code="used")
        if self.is_expired:
            raise ValidationError(_("This link has expired."), code="expired")
        self.used_at = timezone.now()


class SignInThrottle(models.Model):
    """Failed sign-ins per identifier typed, so unknown identifiers are throttled alike."""

    identifier = models.CharField(max_length=254, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.identifier

    def is_locked(self) -> bool:
        return self.locked_until is not None and timezone.now() < self.locked_until
