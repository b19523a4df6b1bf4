from datetime import timedelta
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import can_decide_registration, may_turn_off_two_factor
from accounts.backends import IdentityBackend
from accounts.models import EmailToken, Registration, SignInThrottle, User
from accounts.validators import normalize_thai_phone
from agencies.models import Agency
from audit.services import audit_record
from core.mail import email_enqueue


def email_is_government(email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].lower()
    return any(domain == d or domain.endswith("." + d) for d in settings.GOVERNMENT_EMAIL_DOMAINS)


def _email(*, to: str, template: str, context: dict) -> None:
    email_enqueue(to=to, template=f"accounts/email/{template}", context=context)


def _send_token_link(*, user: User, purpose: str, base_url: str, agency: Agency | None) -> None:
    _token, secret = EmailToken.issue(user=user, purpose=purpose)
    route = "accounts:activate" if purpose == EmailToken.Purpose.ACTIVATE else "accounts:reset"
    _email(
        to=user.email,
        template=purpose,
        context={
            "user": user,
            "agency": agency,
            "link": urljoin(base_url, reverse(route, kwargs={"secret": secret})),
            "hours": settings.EMAIL_LINK_MAX_AGE_HOURS,
        },
    )


@transaction.atomic
def registration_submit(
    *,
    agency: Agency,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    base_url: str,
    request: HttpRequest | None = None,
) -> Registration | None:
    """The new registration, or None when the email already has an account (its owner is
    mailed instead; the visitor sees the same page either way)."""
    email = email.strip().lower()
    if agency.status != Agency.Status.ACTIVE:
        raise ValidationError({"agency": _("This agency is no longer in the directory.")})
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        # The page says what it says for a new registration; the owner hears by mail.
        # Telling the visitor would tell anyone whether an email has an account.
        audit_record(
            action="accounts.registration.duplicate",
            actor_label=email,
            target=existing,
            agency=agency,
            request=request,
        )
        _email(
            to=existing.email,
            template="already_registered",
            context={
                "user": existing,
                "agency": agency,
                "sign_in": urljoin(base_url, reverse("accounts:sign_in")),
                "reset": urljoin(base_url, reverse("accounts:password_reset")),
            },
        )
        return None
    government = email_is_government(email)
    user = User(
        username=email,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=normalize_thai_phone(phone),
        agency=agency,
        role=User.Role.AGENCY_OFFICER,
        is_active=False,
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    registration = Registration(
        agency=agency,
        user=user,
        first_name=user.first_name,
        last_name=user.last_name,
        email=email,
        phone=user.phone,
        status=(
            Registration.Status.AWAITING_ACTIVATION
            if government
            else Registration.Status.PENDING_APPROVAL
        ),
    )
    registration.full_clean()
    registration.save()
    audit_record(
        action="registration.submitted",
        actor_label=email,
        target=registration,
        agency=agency,
        request=request,
        data={"government_email": government},
    )
    if government:
        _send_token_link(
            user=user, purpose=EmailToken.Purpose.ACTIVATE, base_url=base_url, agency=agency
        )
    else:
        _email(
            to=email,
            template="pending",
            context={"registration": registration, "agency": agency},
        )
        approvers = User.objects.filter(
            agency=agency, role=User.Role.AGENCY_ADMIN, is_active=True
        ).values_list("email", flat=True)
        for approver in approvers:
            _email(
                to=approver,
                template="approval_needed",
                context={
                    "registration": registration,
                    "agency": agency,
                    "link": urljoin(base_url, reverse("accounts:approvals")),
                },
            )
    return registration


@transaction.atomic
def registration_approve(*, registration: Registration, by: User, base_url: str) -> Registration:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if not can_decide_registration(by, registration):
        raise ValidationError(_("You may not decide on this registration."))
    registration.approve(by=by)
    registration.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        action="registration.approved", actor=by, target=registration, agency=registration.agency
    )
    _send_token_link(
        user=registration.user,
        purpose=EmailToken.Purpose.ACTIVATE,
        base_url=base_url,
        agency=registration.agency,
    )
    return registration


@transaction.atomic
def registration_reject(*, registration: Registration, by: User) -> Registration:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if not can_decide_registration(by, registration):
        raise ValidationError(_("You may not decide on this registration."))
    registration.reject(by=by)
    registration.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        action="registration.rejected", actor=by, target=registration, agency=registration.agency
    )
    _email(to=registration.email, template="rejected", context={"registration": registration})
    return registration


def email_token_check(*, secret: str, purpose: str) -> EmailToken:
    """The token behind a link, or a ValidationError saying why the link no longer works."""
    token = (
        EmailToken.objects.select_related("user", "user__agency")
        .filter(token_hash=EmailToken.hash(secret or ""), purpose=purpose)
        .first()
    )
    if token is None:
        raise ValidationError(
            _("This link is not valid. Check that you copied all of it."), code="invalid"
        )
    if token.used_at is not None:
        raise ValidationError(_("This link has already been used."), code="used")
    if token.is_expired:
        raise ValidationError(_("This link has expired."), code="expired")
    return token


@transaction.atomic
def password_set_with_token(
    *, secret: str, purpose: str, password: str, request: HttpRequest | None = None
) -> User:
    token = email_token_check(secret=secret, purpose=purpose)
    token = EmailToken.objects.select_for_update().get(pk=token.pk)
    token.use()  # refuses a link used by a concurrent request
    user = token.user
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.is_active = True
    if purpose == EmailToken.Purpose.ACTIVATE:
        registration = (
            Registration.objects.select_for_update()
            .filter(user=user, status=Registration.Status.AWAITING_ACTIVATION)
            .first()
        )
        if registration is None:
            raise ValidationError(_("This registration is no longer waiting for activation."))
        registration.activate()
        registration.save(update_fields=["status", "activated_at"])
        has_admin = User.objects.filter(
            agency=user.agency, role=User.Role.AGENCY_ADMIN, is_active=True
        ).exists()
        if user.agency_id and not has_admin:
            user.role = User.Role.AGENCY_ADMIN  # the agency's first member administers it
    user.save()
    token.save(update_fields=["used_at"])
    # Earlier links for the same purpose die with this one.
    EmailToken.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    SignInThrottle.objects.filter(identifier=user.email.lower()).delete()
    audit_record(
        action="account.activated"
        if purpose == EmailToken.Purpose.ACTIVATE
        else "account.password_reset",
        actor=user,
        target=user,
        agency=user.agency,
        request=request,
    )
    return user


@transaction.atomic
def password_reset_request(
    *, email: str, base_url: str, request: HttpRequest | None = None
) -> None:
    """Sends a link when an account may use one; says nothing either way.

    An active account gets a reset link. A registrant whose activation link expired or got
    lost gets a fresh activation link instead: the seed's "email me the credentials" button.
    """
    user = User.objects.filter(email__iexact=email.strip()).first()
    purpose = None
    if user is not None and user.is_active:
        purpose = EmailToken.Purpose.RESET
    elif (
        user is not None
        and user.registrations.filter(status=Registration.Status.AWAITING_ACTIVATION).exists()
    ):
        purpose = EmailToken.Purpose.ACTIVATE
    audit_record(
        action="account.password_reset_requested",
        actor_label=email.strip().lower(),
        target=user,
        request=request,
        data={"sent": purpose or ""},
    )
    if user is not None and purpose is not None:
        _send_token_link(user=user, purpose=purpose, base_url=base_url, agency=user.agency)


class SignInRefusedError(Exception):
    def __init__(self, message: str, *, locked_until=None):
        super().__init__(message)
        self.message = message
        self.locked_until = locked_until


def sign_in_attempt(*, identifier: str, password: str, request: HttpRequest) -> User:
    """Checks the password with lock-out; the caller calls django.contrib.auth.login.

    The failure count is committed before the refusal is raised, so a refusal never
    rolls back the count that leads to the lock-out.
    """
    key = identifier.strip().lower()[:254]
    locked_message = _("Too many failed attempts. Try again later or reset your password.")
    with transaction.atomic():
        throttle, _created = SignInThrottle.objects.select_for_update().get_or_create(
            identifier=key
        )
        if throttle.is_locked():
            audit_record(action="signin.locked", actor_label=key, request=request)
            refusal = SignInRefusedError(locked_message, locked_until=throttle.locked_until)
        else:
            user = IdentityBackend().authenticate(request, identifier=key, password=password)
            if user is not None:
                # The person's own count starts again; an agency identity's count is the
                # agency's and is left to run out with its window.
                SignInThrottle.objects.filter(identifier=user.email.lower()).delete()
                audit_record(
                    action="signin.succeeded",
                    actor=user,
                    actor_label=key,
                    target=user,
                    agency=user.agency,
                    request=request,
                )
                user.backend = "accounts.backends.IdentityBackend"
                return user
            now = timezone.now()
            window = timedelta(minutes=settings.SIGN_IN_LOCKOUT_MINUTES)
            if throttle.last_failure_at and now - throttle.last_failure_at > window:
                throttle.failures = 0
            throttle.failures += 1
            throttle.last_failure_at = now
            if throttle.failures >= settings.SIGN_IN_MAX_FAILURES:
                throttle.locked_until = now + window
            throttle.save()
            audit_record(
                action="signin.failed",
                actor_label=key,
                request=request,
                data={"failures": throttle.failures},
            )
            if throttle.is_locked():
                refusal = SignInRefusedError(locked_message, locked_until=throttle.locked_until)
            else:
                refusal = SignInRefusedError(_("The identity or password is not correct."))
    raise refusal


# Fields an administrator may change on an account; the password has its own form, and
# `username`/`email` identify the person in the audit log, so their change is recorded too.
USER_ADMIN_FIELDS = (
    "username",
    "email",
    "first_name",
    "last_name",
    "phone",
    "agency",
    "role",
    "is_active",
    "is_staff",
    "is_superuser",
)
# Personal data: only the fact that it changed goes to the audit log, not the values.
_USER_PERSONAL_FIELDS = {"username", "email", "first_name", "last_name", "phone"}


def _audit_value(value: Any) -> Any:
    return getattr(value, "code", value) if value is not None else None


@transaction.atomic
def user_password_set(
    *, user: User, password: str | None, by: User, request: HttpRequest | None = None
) -> User:
    """An administrator sets a user's password (``None``: password sign-in turned off), from
    the admin's password page. Audited, without the password; the user's other sessions end
    with it (Django ties a session to the password hash)."""
    if not getattr(by, "is_superuser", False):
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    if password is None:
        user.set_unusable_password()
    else:
        password_validation.validate_password(password, user)
        user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        action="accounts.user.password_set" if password else "accounts.user.password_disabled",
        actor=by,
        target=user,
        agency=user.agency,
        request=request,
    )
    return user


@transaction.atomic
def user_update(*, user: User, by: User, changes: dict[str, Any]) -> User:
    """An administrator's change to an account (role, agency, access flags, names)."""
    if not getattr(by, "is_superuser", False):
        raise PermissionDenied
    unknown = set(changes) - set(USER_ADMIN_FIELDS)
    if unknown:
        raise ValueError(f"not changeable here: {sorted(unknown)}")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {name: getattr(user, name) for name in changes}
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    changed = [name for name in changes if getattr(user, name) != before[name]]
    if not changed:
        return user
    user.save(update_fields=changed)
    audit_record(
        action="accounts.user.updated",
        actor=by,
        target=user,
        agency=user.agency,
        data={
            "changed": changed,
            **{
                name: [_audit_value(before[name]), _audit_value(getattr(user, name))]
                for name in changed
                if name not in _USER_PERSONAL_FIELDS
            },
        },
    )
    return user


# --- staff two-factor sign-in: TOTP with recovery codes (django-otp, ADR 0131) -------------
RECOVERY_CODES = 10


class TwoFactorRefusedError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def two_factor_enrolled(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def two_factor_setup_start(*, user: User) -> TOTPDevice:
    """The authenticator being set up: one unconfirmed device, the same until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice(user=user, name="authenticator", confirmed=False)
        device.full_clean()
        device.save()
    return device


def _recovery_codes_new(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _clean_code(token: str) -> str:
    return "".join((token or "").split()).lower()


@transaction.atomic
def two_factor_confirm(*, user: User, token: str, request: HttpRequest | None = None) -> list[str]:
    """Confirms the new authenticator with its first code, replaces any earlier one, and
    returns fresh recovery codes (shown once; only they are kept, by django-otp)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(_clean_code(token)):
        raise TwoFactorRefusedError(
            _("The code is not correct. Type the 6 digits your authenticator shows now.")
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_new(user)
    audit_record(
        action="accounts.two_factor.enabled",
        actor=user,
        target=user,
        agency=user.agency,
        request=request,
    )
    return codes


def two_factor_verify(*, user: User, token: str, request: HttpRequest | None = None):
    """The device whose code (authenticator or recovery) matches; a recovery code works
    once. Wrong codes slow down per device (django-otp's throttling) and are audited."""
    code = _clean_code(token)
    throttled = False
    for device in [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]:
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            throttled = True
            continue
        if code and device.verify_token(code):
            recovery = isinstance(device, StaticDevice)
            audit_record(
                action="accounts.two_factor.verified",
                actor=user,
                target=user,
                agency=user.agency,
                request=request,
                data={"recovery_code": recovery},
            )
            return device
    audit_record(
        action="accounts.two_factor.failed",
        actor=user,
        target=user,
        agency=user.agency,
        request=request,
    )
    if throttled:
        raise TwoFactorRefusedError(_("Too many wrong codes. Wait a minute and try again."))
    raise TwoFactorRefusedError(_("The code is not correct."))


@transaction.atomic
def two_factor_recovery_codes_new(*, user: User, request: HttpRequest | None = None) -> list[str]:
    if not two_factor_enrolled(user=user):
        raise PermissionDenied
    codes = _recovery_codes_new(user)
    audit_record(
        action="accounts.two_factor.recovery_codes_replaced",
        actor=user,
        target=user,
        agency=user.agency,
        request=request,
    )
    return codes


@transaction.atomic
def two_factor_disable(*, user: User, request: HttpRequest | None = None) -> None:
    """An officer who chose two-factor may turn it off; administrators may not."""
    if not may_turn_off_two_factor(user):
        raise PermissionDenied
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(
        action="accounts.two_factor.disabled",
        actor=user,
        target=user,
        agency=user.agency,
        request=request,
    )


@transaction.atomic
def two_factor_reset(*, user: User, by: User, request: HttpRequest | None = None) -> None:
    """An EGA administrator removes someone's authenticator and recovery codes (lost phone):
    they set up a new one at their next sign-in."""
    if not getattr(by, "is_ega_admin", False):
        raise PermissionDenied
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(
        action="accounts.two_factor.reset",
        actor=by,
        target=user,
        agency=user.agency,
        request=request,
    )
