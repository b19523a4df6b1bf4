"""Every write of the citizen's space (ADR 0110): keyword-only, one transaction, audited."""

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from audit.services import audit_record
from citizens import selectors, sms
from citizens.middleware import SESSION_KEY
from citizens.models import Citizen, CitizenContact
from citizens.pseudonym import is_thai_id, pseudonym_for
from citizens.thaid import Claims
from complaints.services import complaint_erase_contact
from core.mail import email_enqueue, public_base_url
from core.phone import normalize_thai_phone, validate_thai_phone
from counter import hashing as counter_hashing
from feedback.services import response_erase_contact
from line_channel.services import line_complaints_forget, line_unlink

MAX_CODE_ATTEMPTS = 5


def _label(citizen: Citizen) -> str:
    # The audit trail names the account, never the person or the ID.
    return f"citizen:{citizen.pk}"


def _ial_ok(ial: str) -> bool:
    if not settings.THAID_MIN_IAL:
        return True
    try:
        return float(ial) >= float(settings.THAID_MIN_IAL)
    except ValueError:
        return False


@transaction.atomic
def citizen_sign_in(*, claims: Claims, request: HttpRequest | None = None) -> Citizen:
    """The verified ThaiD claims → the citizen's account (made on first sign-in). The ID is
    turned into the GDX pseudonym here and goes no further."""
    if not is_thai_id(claims.pid):
        raise ValidationError(_("ThaiD did not send a valid citizen ID."), code="no_pid")
    if not _ial_ok(claims.ial):
        raise ValidationError(
            _("Your ThaiD identity is not verified enough for this service."), code="ial"
        )
    pseudonym = pseudonym_for(claims.pid)
    citizen, created = Citizen.objects.select_for_update().get_or_create(pseudonym=pseudonym)
    if citizen.status == Citizen.Status.ARCHIVED:
        citizen.reactivate()
    citizen.counter_ref = counter_hashing.citizen_ref(claims.pid)
    citizen.name_th = claims.name_th
    citizen.name_en = claims.name_en
    citizen.ial = claims.ial
    citizen.last_sign_in_at = timezone.now()
    citizen.full_clean()
    citizen.save()
    audit_record(
        action="citizens.citizen.signed_in",
        actor_label=_label(citizen),
        target=citizen,
        request=request,
        data={"first": created, "ial": claims.ial},
    )
    return citizen


def citizen_session_start(*, request: HttpRequest, citizen: Citizen) -> None:
    """A fresh session (no staff sign-in, no state carried over) that holds only the citizen."""
    logout(request)  # flushes the session: a new key, nothing of a staff user kept
    request.session[SESSION_KEY] = citizen.pk
    request.session.set_expiry(settings.CITIZEN_SESSION_SECONDS)
    request.citizen = citizen  # type: ignore[attr-defined]


def citizen_session_end(*, request: HttpRequest) -> None:
    request.session.flush()
    request.citizen = None  # type: ignore[attr-defined]


def _code_hash(contact: CitizenContact, code: str) -> str:
    return salted_hmac("citizens.contact-code", f"{contact.pk}:{contact.value}:{code}").hexdigest()


def _normalise(kind: str, value: str) -> str:
    value = (value or "").strip()
    if kind == CitizenContact.Kind.EMAIL:
        return value.lower()
    validate_thai_phone(normalize_thai_phone(value))
    return normalize_thai_phone(value)


def _send_code(contact: CitizenContact, code: str) -> None:
    minutes = settings.CITIZEN_CODE_MINUTES
    if contact.kind == CitizenContact.Kind.EMAIL:
        email_enqueue(
            to=contact.value,
            template="citizens/email/contact_code",
            context={"code": code, "minutes": minutes, "base_url": public_base_url()},
        )
    else:
        sms.send_sms(
            to=contact.value,
            text=_("CITIZENinfo code: %(code)s (valid %(minutes)s minutes)")
            % {"code": code, "minutes": minutes},
        )


@transaction.atomic
def contact_add(*, citizen: Citizen, kind: str, value: str) -> CitizenContact:
    """Adds (or re-sends a code for) an email or phone; it links records once confirmed."""
    if kind == CitizenContact.Kind.PHONE and not sms.enabled():
        raise ValidationError({"value": _("Linking a phone number is not available yet.")})
    value = _normalise(kind, value)
    contact, _created = CitizenContact.objects.select_for_update().get_or_create(
        citizen=citizen, kind=kind, value=value
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    contact.code_hash = _code_hash(contact, code)
    contact.code_expires_at = timezone.now() + timedelta(minutes=settings.CITIZEN_CODE_MINUTES)
    contact.attempts = 0
    contact.full_clean()
    contact.save()
    _send_code(contact, code)
    audit_record(
        action="citizens.contact.added",
        actor_label=_label(citizen),
        target=contact,
        data={"kind": kind},
    )
    return contact


def contact_confirm(*, contact: CitizenContact, code: str) -> CitizenContact:
    """The code checked; a wrong one counts as an attempt (kept, though the call fails)."""
    with transaction.atomic():
        contact = CitizenContact.objects.select_for_update().get(pk=contact.pk)
        if contact.is_confirmed:
            return contact
        expired = contact.code_expires_at is None or contact.code_expires_at < timezone.now()
        if expired or contact.attempts >= MAX_CODE_ATTEMPTS:
            raise ValidationError(
                {"code": _("This code has expired or was tried too often. Ask for a new one.")}
            )
        given = _code_hash(contact, (code or "").strip())
        if constant_time_compare(given, contact.code_hash):
            contact.confirmed_at = timezone.now()
            contact.code_hash = ""
            contact.code_expires_at = None
            contact.save(update_fields=["confirmed_at", "code_hash", "code_expires_at"])
            audit_record(
                action="citizens.contact.confirmed",
                actor_label=_label(contact.citizen),
                target=contact,
                data={"kind": contact.kind},
            )
            return contact
        CitizenContact.objects.filter(pk=contact.pk).update(attempts=F("attempts") + 1)
    raise ValidationError({"code": _("The code is not right. Check the message we sent.")})


@transaction.atomic
def contact_remove(*, contact: CitizenContact) -> None:
    """The contact is deleted outright: it is personal data the citizen took back. Consent to
    notifications at that address goes with it."""
    citizen = contact.citizen
    if contact.kind == CitizenContact.Kind.EMAIL and citizen.notify_email == contact.value:
        consent_withdraw(citizen=citizen)
    audit_record(
        action="citizens.contact.removed",
        actor_label=_label(citizen),
        target=contact,
        data={"kind": contact.kind},
    )
    contact.delete()


@transaction.atomic
def consent_give(*, citizen: Citizen, email: str) -> Citizen:
    if email not in selectors.confirmed_values(citizen=citizen, kind=CitizenContact.Kind.EMAIL):
        raise ValidationError({"email": _("Choose one of your confirmed email addresses.")})
    citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
    citizen.notify_email = email
    citizen.notify_consent_at = timezone.now()
    if citizen.notified_up_to is None:
        # Mail only what is new from now on; what is there already is on the page.
        newest = selectors.readings(citizen=citizen, limit=1)
        citizen.notified_up_to = newest[0]["index"] if newest else -1
    citizen.full_clean()
    citizen.save()
    audit_record(action="citizens.consent.given", actor_label=_label(citizen), target=citizen)
    return citizen


@transaction.atomic
def consent_withdraw(*, citizen: Citizen) -> Citizen:
    Citizen.objects.filter(pk=citizen.pk).update(notify_email="", notify_consent_at=None)
    citizen.notify_email, citizen.notify_consent_at = "", None
    audit_record(action="citizens.consent.withdrawn", actor_label=_label(citizen), target=citizen)
    return citizen


def data_exported(*, citizen: Citizen, fmt: str) -> None:
    audit_record(
        action="citizens.data.exported",
        actor_label=_label(citizen),
        target=citizen,
        data={"format": fmt},
    )


@transaction.atomic
def citizen_erase_contacts(*, citizen: Citizen) -> dict[str, int]:
    """PDPA s.33: the citizen's name, email and phone removed from every complaint and
    feedback answer linked to them; the records and their figures stay, anonymised. LINE is
    unlinked from the space."""
    complaints = list(selectors.complaints_of(citizen=citizen))
    answers = list(selectors.feedback_of(citizen=citizen))
    for complaint in complaints:
        complaint_erase_contact(complaint=complaint, reason="data_subject_request")
    for answer in answers:
        response_erase_contact(response=answer, reason="data_subject_request")
    line_pushes = line_complaints_forget(citizen=citizen)
    line_unlink(citizen=citizen, reason="erasure")
    counts = {"complaints": len(complaints), "feedback": len(answers), "line_pushes": line_pushes}
    audit_record(
        action="citizens.contacts.erased", actor_label=_label(citizen), target=citizen, data=counts
    )
    return counts


@transaction.atomic
def readings_notify(*, citizen: Citizen) -> int:
    """Mails the citizen about readings of their data newer than the last mail (consent
    given); returns how many were new."""
    citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
    if not citizen.notify_email or citizen.status != Citizen.Status.ACTIVE:
        return 0
    since = citizen.notified_up_to if citizen.notified_up_to is not None else -1
    new = [r for r in selectors.readings(citizen=citizen, limit=100) if r["index"] > since]
    if not new:
        return 0
    email_enqueue(
        to=citizen.notify_email,
        template="citizens/email/new_readings",
        context={"readings": new, "base_url": public_base_url()},
    )
    Citizen.objects.filter(pk=citizen.pk).update(notified_up_to=max(r["index"] for r in new))
    return len(new)


def retention_enforce(*, now: Any = None) -> dict[str, int]:
    """The retention periods of docs/privacy.md, each in its own transaction."""
    now = now or timezone.now()
    counts = {"codes": 0, "citizens": 0, "complaints": 0, "feedback": 0}
    with transaction.atomic():
        counts["codes"] = CitizenContact.objects.filter(
            confirmed_at__isnull=True, created_at__lt=now - timedelta(days=1)
        ).delete()[0]
    for citizen in selectors.citizens_inactive(
        before=now - timedelta(settings.CITIZEN_INACTIVE_DAYS)
    ):
        _archive(citizen)
        counts["citizens"] += 1
    for complaint in selectors.complaints_past_contact_retention(now=now):
        complaint_erase_contact(complaint=complaint, reason="retention")
        counts["complaints"] += 1
    for answer in selectors.feedback_past_contact_retention(now=now):
        response_erase_contact(response=answer, reason="retention")
        counts["feedback"] += 1
    if any(counts.values()):
        audit_record(action="citizens.retention.enforced", data=counts)
    return counts


@transaction.atomic
def _archive(citizen: Citizen) -> None:
    """An account unused for CITIZEN_INACTIVE_DAYS: its contacts and consent go, the account
    (a pseudonym only) is archived; signing in again starts afresh."""
    citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
    citizen.contacts.all().delete()
    line_unlink(citizen=citizen, reason="archived")
    citizen.archive()
    citizen.name_th = citizen.name_en = citizen.notify_email = ""
    citizen.notify_consent_at = None
    citizen.save()
    audit_record(action="citizens.citizen.archived", actor_label=_label(citizen), target=citizen)
