"""Every write to citizen feedback.

Citizens' answers are not written to the audit log one by one: the `Response` row is itself
the append-only record (ADR 0040). Every staff action (review, reply, export) is audited.
"""

import ipaddress
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.mail import email_enqueue
from feedback import access, conf
from feedback.masking import mask_personal_data
from feedback.models import COMMENT_MAX_LENGTH, SCORES, SUM_FIELDS, PointDay, Reply, Response


class TooManyResponsesError(Exception):
    """The network is over the hard limit: refuse (HTTP 429) instead of storing more."""


def device_hash(token: str) -> str:
    return salted_hmac("feedback.device", token or "", algorithm="sha256").hexdigest()


def network_hash(ip: str) -> str:
    """HMAC of the address (IPv6: its /64, which one household or phone usually holds)."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return salted_hmac("feedback.network", "unknown", algorithm="sha256").hexdigest()
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv6Address):
        key = str(ipaddress.ip_network(f"{address}/64", strict=False))
    else:
        key = str(address)
    return salted_hmac("feedback.network", key, algorithm="sha256").hexdigest()


def normalize_comment(text: str) -> str:
    """Browsers send line breaks as CRLF; a citizen counts each as one character."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


_LIMITS_SQL = None


def _limits_sql() -> str:
    """One round trip for the three look-ups (each stops early at its limit)."""
    global _LIMITS_SQL
    if _LIMITS_SQL is None:
        table = Response._meta.db_table
        _LIMITS_SQL = (
            f"SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE device_hash = %s "  # noqa: S608
            f"AND created_at >= %s LIMIT %s) AS d), "
            f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE network_hash = %s "
            f"AND created_at >= %s LIMIT %s) AS n), "
            f"EXISTS (SELECT 1 FROM {table} WHERE device_hash = %s AND point_id = %s "
            f"AND created_at >= %s)"
        )
    return _LIMITS_SQL


def _flag_reason(*, point, device: str, network: str, honeypot: str, now) -> str:
    if honeypot:
        return Response.FlagReason.HONEYPOT
    hour_ago = now - timedelta(hours=1)
    window = now - timedelta(minutes=conf.get("FEEDBACK_DUPLICATE_WINDOW_MINUTES"))
    device_limit = conf.get("FEEDBACK_DEVICE_LIMIT_PER_HOUR")
    hard = conf.get("FEEDBACK_NETWORK_HARD_LIMIT_PER_HOUR")
    soft = conf.get("FEEDBACK_NETWORK_LIMIT_PER_HOUR")
    adapt = connection.ops.adapt_datetimefield_value
    hour_ago_db, window_db = adapt(hour_ago), adapt(window)
    with connection.cursor() as cursor:
        cursor.execute(
            _limits_sql(),
            [
                device,
                hour_ago_db,
                device_limit,
                network,
                hour_ago_db,
                hard,
                device,
                point.pk,
                window_db,
            ],
        )
        from_device, from_network, duplicate = cursor.fetchone()
    if duplicate:
        return Response.FlagReason.DUPLICATE
    if from_device >= device_limit:
        return Response.FlagReason.DEVICE_RATE
    if from_network >= hard:
        raise TooManyResponsesError
    if from_network >= soft:
        return Response.FlagReason.NETWORK_RATE
    return ""


_ROLLUP_SQL = None


def _rollup_sql() -> str:
    global _ROLLUP_SQL
    if _ROLLUP_SQL is None:
        table = PointDay._meta.db_table
        columns = ", ".join(SUM_FIELDS)
        updates = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in SUM_FIELDS)
        placeholders = ", ".join(["%s"] * (3 + len(SUM_FIELDS)))
        _ROLLUP_SQL = (
            f"INSERT INTO {table} (point_id, agency_id, day, {columns}) "  # noqa: S608
            f"VALUES ({placeholders}) ON CONFLICT (point_id, day) DO UPDATE SET {updates}"
        )
    return _ROLLUP_SQL


def _rollup_add(response: Response) -> None:
    """Adds one accepted answer to its point's day, in the caller's transaction."""
    values = {
        "responses": 1,
        "copy_asked": int(response.asked_for_copy),
        "comments": int(bool(response.comment)),
    }
    for score in SCORES:
        value = getattr(response, score)
        values[f"{score}_sum"] = value
        values[f"{score}_top2"] = int(value >= 4)
    day = timezone.localdate(response.created_at)
    with connection.cursor() as cursor:
        cursor.execute(
            _rollup_sql(),
            [response.point_id, response.agency_id, day, *[values[n] for n in SUM_FIELDS]],
        )


@transaction.atomic
def response_submit(
    *,
    point,
    service,
    service_other: str = "",
    overall: int,
    process: int,
    staff: int,
    facilities: int,
    outcome: int,
    asked_for_copy: bool,
    comment: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    honeypot: str = "",
    device_token: str = "",
    ip: str = "",
) -> Response:
    """Stores a citizen's answer: counted, or held for review when it looks like abuse."""
    if point is None or not point.is_published:
        raise ValidationError(_("This service point does not take feedback."))
    comment = normalize_comment(comment)
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"comment": _("Write at most %(n)s characters.") % {"n": COMMENT_MAX_LENGTH}}
        )
    now = timezone.now()
    device, network = device_hash(device_token), network_hash(ip)
    response = Response(
        point=point,
        agency_id=point.agency_id,
        service=service,
        service_other=""
        if service is not None
        else mask_personal_data((service_other or "").strip()),
        overall=overall,
        process=process,
        staff=staff,
        facilities=facilities,
        outcome=outcome,
        asked_for_copy=asked_for_copy,
        comment=mask_personal_data(comment),
        contact_name=(contact_name or "").strip(),
        contact_email=(contact_email or "").strip(),
        contact_phone=(contact_phone or "").strip(),
        device_hash=device,
        network_hash=network,
        created_at=now,
    )
    # The point and service are loaded instances: no need to look them up again. The score
    # range is checked by the fields' validators here and by the CHECK constraint in the
    # database, so the constraint is not also queried (one round trip less per answer).
    response.full_clean(
        exclude=["point", "agency", "service"], validate_unique=False, validate_constraints=False
    )
    reason = _flag_reason(point=point, device=device, network=network, honeypot=honeypot, now=now)
    if reason:
        response.flag(reason=reason)
    response.save(force_insert=True)
    if response.is_counted:
        _rollup_add(response)
    return response


@transaction.atomic
def response_accept(*, response: Response, by) -> Response:
    if not access.can_review(by):
        raise PermissionDenied
    response = Response.objects.select_for_update().get(pk=response.pk)
    response.accept(by=by)
    response.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    _rollup_add(response)
    audit_record(
        action="feedback.response_accepted",
        actor=by,
        target=response,
        agency=response.agency,
        data={"reason": response.flag_reason},
    )
    return response


@transaction.atomic
def response_reject(*, response: Response, by) -> Response:
    if not access.can_review(by):
        raise PermissionDenied
    response = Response.objects.select_for_update().get(pk=response.pk)
    response.reject(by=by)
    response.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit_record(
        action="feedback.response_rejected",
        actor=by,
        target=response,
        agency=response.agency,
        data={"reason": response.flag_reason},
    )
    return response


@transaction.atomic
def reply_send(*, response: Response, body: str, by) -> Reply:
    """Emails the agency's reply to the citizen, from the task queue, once committed."""
    if not access.can_reply(by, response):
        raise PermissionDenied
    reply = Reply(
        response=response, body=(body or "").strip(), sent_to=response.contact_email, sent_by=by
    )
    if not reply.body:
        raise ValidationError({"body": _("Write the reply.")})
    reply.full_clean(exclude=["response", "sent_by"])
    reply.save()
    email_enqueue(
        to=response.contact_email,
        template="feedback/email/reply",
        context={
            "reply": reply,
            "response": response,
            "point": response.point,
            "agency": response.agency,
        },
    )
    audit_record(
        action="feedback.reply_sent",
        actor=by,
        target=response,
        agency=response.agency,
        data={"reply": reply.pk},
    )
    return reply


def response_export_record(*, agency, by, kind: str, request=None) -> None:
    """Exports contain citizens' answers: who took one, and when, is recorded."""
    if not access.can_export(by, agency):
        raise PermissionDenied
    audit_record(
        action="feedback.exported", actor=by, agency=agency, request=request, data={"format": kind}
    )


@transaction.atomic
def response_forget_hashes(*, older_than_days: int | None = None) -> int:
    """Blanks device and network hashes once they are no use for rate limits."""
    days = (
        older_than_days if older_than_days is not None else conf.get("FEEDBACK_HASH_RETENTION_DAYS")
    )
    cutoff = timezone.now() - timedelta(days=days)
    count = (
        Response.objects.filter(created_at__lt=cutoff)
        .exclude(device_hash="", network_hash="")
        .update(device_hash="", network_hash="")
    )
    audit_record(action="feedback.hashes_forgotten", data={"responses": count, "days": days})
    return count
