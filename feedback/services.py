"""Every write to citizen feedback.

Citizens' answers are not written to the audit log one by one: the `Response` row is itself
the append-only record (ADR 0040). Every staff action (review, reply, export) is audited.
"""

import functools
import ipaddress
import uuid
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from audit.services import audit_record
from core import pg, ratelimit
from core.mail import email_enqueue
from feedback import access, conf
from feedback.masking import mask_personal_data
from feedback.models import COMMENT_MAX_LENGTH, SCORES, SUM_FIELDS, PointDay, Reply, Response
from manual.models import Service
from service_points.models import ServicePoint


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


# What an answer row is written with (`agency_id` comes from the point's row).
_ANSWER_COLUMNS = (
    "point_id",
    "agency_id",
    "service_id",
    "service_other",
    *SCORES,
    "asked_for_copy",
    "comment",
    "contact_name",
    "contact_email",
    "contact_phone",
    "device_hash",
    "network_hash",
    "created_at",
    "submission",
)


@functools.cache
def _seen_sql() -> str:
    """The three look-ups behind the limits, as one SELECT list (each stops at its limit).

    Both ways of storing use it: `_flag_reason` on its own, the one statement as a CTE."""
    table = Response._meta.db_table
    return (
        f"EXISTS (SELECT 1 FROM {table} WHERE device_hash = %(device_hash)s "  # noqa: S608
        f"AND point_id = %(point_id)s AND created_at >= %(window)s) AS duplicate, "
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE device_hash = %(device_hash)s "
        f"AND created_at >= %(hour_ago)s LIMIT %(device_limit)s) AS d) AS from_device, "
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE network_hash = %(network_hash)s "
        f"AND created_at >= %(hour_ago)s LIMIT %(hard_limit)s) AS n) AS from_network, "
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE network_hash = %(network_hash)s "
        f"AND point_id = %(point_id)s AND created_at >= %(hour_ago)s "
        f"LIMIT %(point_limit)s) AS np) AS from_network_to_point"
    )


def _limit_params(response: Response) -> dict:
    now = response.created_at
    adapt = connection.ops.adapt_datetimefield_value
    return {
        "point_id": response.point_id,
        "device_hash": response.device_hash,
        "network_hash": response.network_hash,
        "hour_ago": adapt(now - timedelta(hours=1)),
        "window": adapt(now - timedelta(minutes=conf.get("FEEDBACK_DUPLICATE_WINDOW_MINUTES"))),
        "device_limit": conf.get("FEEDBACK_DEVICE_LIMIT_PER_HOUR"),
        "hard_limit": conf.get("FEEDBACK_NETWORK_HARD_LIMIT_PER_HOUR"),
        "soft_limit": conf.get("FEEDBACK_NETWORK_LIMIT_PER_HOUR"),
        "point_limit": conf.get("FEEDBACK_NETWORK_POINT_LIMIT_PER_HOUR"),
    }


# Why an answer is held, in the order decided, by both ways of storing (`_flag_reason` in
# Python, `_decide_sql()` in the one statement): (reason, what `_seen_sql` found or the
# honeypot, the limit it is compared with). A flooding network is refused first, so not even
# a robot's held answers pile up.
_FLAG_RULES: tuple[tuple[str, str, str | None], ...] = (
    ("refused", "from_network", "hard_limit"),
    (Response.FlagReason.HONEYPOT.value, "honeypot", None),
    (Response.FlagReason.DUPLICATE.value, "duplicate", None),
    (Response.FlagReason.DEVICE_RATE.value, "from_device", "device_limit"),
    (Response.FlagReason.NETWORK_RATE.value, "from_network", "soft_limit"),
    (Response.FlagReason.POINT_BURST.value, "from_network_to_point", "point_limit"),
)
_REFUSED = _FLAG_RULES[0][0]


def _decide(seen: dict[str, Any], params: dict[str, Any]) -> str:
    for reason, found, limit in _FLAG_RULES:
        if (seen[found] >= params[limit]) if limit else seen[found]:
            return reason
    return ""


@functools.cache
def _decide_sql() -> str:
    """`_decide` as a CASE over the `seen` CTE (reasons are our constants, not input)."""
    whens = []
    for reason, found, limit in _FLAG_RULES:
        value = "%(honeypot)s" if found == "honeypot" else f"seen.{found}"
        condition = f"{value} >= %({limit})s" if limit else value
        whens.append(f"WHEN {condition} THEN '{reason}'")
    return f"CASE {' '.join(whens)} ELSE '' END"


def _flag_reason(response: Response, *, honeypot: str) -> str:
    params = _limit_params(response)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_seen_sql()}", params)
        duplicate, from_device, from_network, from_network_to_point = cursor.fetchone()
    seen = {
        "honeypot": bool(honeypot),
        "duplicate": duplicate,
        "from_device": from_device,
        "from_network": from_network,
        "from_network_to_point": from_network_to_point,
    }
    reason = _decide(seen, params)
    if reason == _REFUSED:
        raise TooManyResponsesError
    return reason


def _day_sum_expression(name: str) -> str:
    """What one stored answer adds to a `PointDay` sum (SQL valid on SQLite and PostgreSQL)."""
    if name == "responses":
        return "1"
    if name == "copy_asked":
        return "CASE WHEN asked_for_copy THEN 1 ELSE 0 END"
    if name == "comments":
        return "CASE WHEN comment <> '' THEN 1 ELSE 0 END"
    score, kind = name.rsplit("_", 1)
    return score if kind == "sum" else f"CASE WHEN {score} >= 4 THEN 1 ELSE 0 END"


@functools.cache
def _day_upsert_sql(source: str) -> str:
    """Adds the stored answers `source` selects (`<table> WHERE …`) to their point's day."""
    table = PointDay._meta.db_table
    added = ", ".join(_day_sum_expression(name) for name in SUM_FIELDS)
    updates = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in SUM_FIELDS)
    return (
        f"INSERT INTO {table} (point_id, agency_id, day, {', '.join(SUM_FIELDS)}) "  # noqa: S608
        f"SELECT point_id, agency_id, %(day)s, {added} FROM {source} "
        f"ON CONFLICT (point_id, day) DO UPDATE SET {updates}"
    )


def _rollup_add(response: Response) -> None:
    """Adds one stored, counted answer to its point's day, in the caller's transaction."""
    day = connection.ops.adapt_datefield_value(timezone.localdate(response.created_at))
    with connection.cursor() as cursor:
        cursor.execute(
            _day_upsert_sql(f"{Response._meta.db_table} WHERE id = %(id)s"),
            {"day": day, "id": response.pk},
        )


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
    submission: uuid.UUID | None = None,
    network_token: str = "",
) -> Response:
    """Stores a citizen's answer: counted, or held for review when it looks like abuse.

    `submission` is the id the citizen's phone gave this answer: sent again (the app's
    offline queue, a retry), the answer stored the first time is returned and nothing is
    written (ADR 0091).

    `point` and `service` may come from the feedback target cache (selectors), so whether the
    point still takes answers and the service is still its agency's is checked again where the
    answer is written. On PostgreSQL the checks, the limits, the answer and its day's figures
    are one statement (ADR 0044): atomic on its own, and one round trip instead of six.
    A channel that knows its sender better than by address (LINE's signed user id) gives
    `network_token` instead of `ip`.
    """
    if point is None or not point.is_published:
        raise ValidationError(_("This service point does not take feedback."))
    comment = normalize_comment(comment)
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"comment": _("Write at most %(n)s characters.") % {"n": COMMENT_MAX_LENGTH}}
        )
    now = timezone.now()
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
        device_hash=device_hash(device_token),
        network_hash=(
            salted_hmac("feedback.network", network_token, algorithm="sha256").hexdigest()
            if network_token
            else network_hash(ip)
        ),
        created_at=now,
        submission=submission,
    )
    # The point and service are loaded instances: no need to look them up again. The score
    # range is checked by the fields' validators here and by the CHECK constraint in the
    # database, so the constraint is not also queried (one round trip less per answer).
    response.full_clean(
        exclude=["point", "agency", "service"], validate_unique=False, validate_constraints=False
    )
    if not _gate(response):
        # Refused as a flood, unless it is an answer already stored (sent again by the phone).
        earlier = _earlier(response.submission)
        if earlier is None:
            raise TooManyResponsesError
        return earlier
    if _one_statement():
        return _store_in_one_statement(response, honeypot=honeypot)
    return _store_in_transaction(response, honeypot=honeypot)


def _gate(response: Response) -> bool:
    """A flooding network is refused in the shared cache before the database is asked: every
    web node counts in the same place (ADR 0130). Without Redis the stored answers' own
    count below refuses it at the same limit."""
    return ratelimit.hit(
        "feedback.network",
        response.network_hash,
        limit=conf.get("FEEDBACK_NETWORK_HARD_LIMIT_PER_HOUR"),
        window=3600,
        on_outage=ratelimit.Outage.ALLOW,
    )


def _one_statement() -> bool:
    return connection.vendor == "postgresql"


def _earlier(submission: uuid.UUID | None) -> Response | None:
    """The answer already stored under this phone-made id, if any."""
    if submission is None:
        return None
    return Response.objects.filter(submission=submission).first()


def _store_in_transaction(response: Response, *, honeypot: str) -> Response:
    """SQLite (the embedded default): the same checks, in separate statements."""
    earlier = _earlier(response.submission)
    if earlier is not None:
        return earlier
    try:
        return _insert_in_transaction(response, honeypot=honeypot)
    except IntegrityError:
        # Sent twice at the same moment: the other request stored it first.
        earlier = _earlier(response.submission)
        if earlier is None:
            raise
        return earlier


@transaction.atomic
def _insert_in_transaction(response: Response, *, honeypot: str) -> Response:
    _ensure_still_open(response)
    reason = _flag_reason(response, honeypot=honeypot)
    if reason:
        response.flag(reason=reason)
    response.save(force_insert=True)
    if response.is_counted:
        _rollup_add(response)
    return response


def _ensure_still_open(response: Response) -> None:
    """The cached point may have been unpublished, moved to another agency, or the service
    withdrawn since: the database decides, and the answer goes to the point's agency now."""

    agency_id = (
        ServicePoint.objects.filter(pk=response.point_id, status=ServicePoint.Status.PUBLISHED)
        .values_list("agency_id", flat=True)
        .first()
    )
    if agency_id is None:
        raise ValidationError(_("This service point does not take feedback."))
    if (
        response.service_id is not None
        and not Service.objects.filter(
            pk=response.service_id, agency_id=agency_id, status=Service.Status.PUBLISHED
        ).exists()
    ):
        raise ValidationError({"service": _("Choose a service from the list.")})
    response.agency_id = agency_id


@functools.cache
def _one_statement_sql() -> str:
    """Checks, limits, the answer and its day's figures in one data-modifying statement.

    The flag reasons are decided by `_decide_sql()`, from the same `_FLAG_RULES` as
    `_flag_reason` ("refused": nothing written).
    """

    answers = Response._meta.db_table
    points, services = ServicePoint._meta.db_table, Service._meta.db_table
    values = ", ".join(
        "decided.agency_id" if name == "agency_id" else f"%({name})s" for name in _ANSWER_COLUMNS
    )
    return f"""
WITH target AS (
  SELECT p.id, p.agency_id FROM {points} p
  WHERE p.id = %(point_id)s AND p.status = %(published)s
    AND (%(service_id)s::bigint IS NULL OR EXISTS (
      SELECT 1 FROM {services} s WHERE s.id = %(service_id)s AND s.agency_id = p.agency_id
        AND s.status = %(published)s))
), seen AS (
  SELECT {_seen_sql()}
), decided AS (
  SELECT target.agency_id, {_decide_sql()} AS reason
  FROM target, seen
), stored AS (
  INSERT INTO {answers} ({", ".join(_ANSWER_COLUMNS)}, status, flag_reason)
  SELECT {values},
    CASE WHEN reason = '' THEN %(accepted)s ELSE %(flagged)s END, reason
  FROM decided WHERE reason <> '{_REFUSED}'
  ON CONFLICT (submission) WHERE submission IS NOT NULL DO NOTHING
  RETURNING *
), counted AS (
  {_day_upsert_sql("stored WHERE status = %(accepted)s")}
)
SELECT (SELECT agency_id FROM target), (SELECT reason FROM decided), (SELECT id FROM stored),
  (SELECT id FROM {answers} WHERE submission = %(submission)s)
"""  # noqa: S608 - table and column names come from the models, values are parameters


def _execute_one_statement(params: dict) -> tuple:
    """Runs the statement as a server-side prepared statement: PostgreSQL plans it once per
    connection instead of for every answer (planning cost more than running it). Django's
    cursors bind parameters on the client and cannot prepare, so psycopg's is used directly.

    A connection kept from an earlier request may have died with a database restart, and
    Django's per-request health check would cost a round trip per answer. So a failure on a
    kept connection is retried once on a new one. The statement did not commit on the dead
    connection; if it somehow did, the retry comes from the same device for the same point
    within the duplicate window, so it is held for review instead of counted twice.
    """
    for attempt in (1, 2):
        try:
            row = pg.fetchone(_one_statement_sql(), params, prepare=True)
            assert row is not None  # the statement always selects one row
            return row
        except (OperationalError, InterfaceError):
            if attempt == 2 or connection.in_atomic_block:
                raise
            connection.close()
    raise AssertionError("unreachable")  # pragma: no cover


def _store_in_one_statement(response: Response, *, honeypot: str) -> Response:

    params = {name: getattr(response, name) for name in _ANSWER_COLUMNS if name != "agency_id"}
    params.update(
        _limit_params(response),
        published=ServicePoint.Status.PUBLISHED.value,
        honeypot=bool(honeypot),
        accepted=Response.Status.ACCEPTED.value,
        flagged=Response.Status.FLAGGED.value,
        day=timezone.localdate(response.created_at),
    )
    agency_id, reason, pk, earlier = _execute_one_statement(params)
    if earlier is not None or (pk is None and reason != _REFUSED and agency_id is not None):
        # Stored before under this id (`earlier`), or at this moment by a request the
        # statement's snapshot cannot see yet: either way, that answer stands.
        found = _earlier(response.submission)
        if found is not None:
            return found
    if agency_id is None:
        _ensure_still_open(response)  # says whether the point or the service failed
        raise ValidationError(_("This service point does not take feedback."))
    response.agency_id = agency_id  # the point's agency now, even if the cache was older
    if reason == _REFUSED:
        raise TooManyResponsesError
    if reason:
        response.flag(reason=reason)
    response.pk = pk
    response._state.adding = False
    response._state.db = connection.alias
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


def _rollup_subtract(response: Response) -> None:
    """Takes one counted answer back out of its point's day (a reviewer's undo)."""
    values = {"responses": 1, "copy_asked": int(response.asked_for_copy)}
    values["comments"] = int(response.comment != "")
    for name in SUM_FIELDS:
        if name in values:
            continue
        score, kind = name.rsplit("_", 1)
        given = getattr(response, score) or 0
        values[name] = given if kind == "sum" else int(given >= 4)
    PointDay.objects.filter(
        point_id=response.point_id, day=timezone.localdate(response.created_at)
    ).update(**{name: F(name) - value for name, value in values.items()})


@transaction.atomic
def responses_review(*, pks: list[int], action: str, by) -> list[int]:
    """Counts (or not) every answer of `pks` still held for review; returns those decided."""
    if not access.can_review(by):
        raise PermissionDenied
    if action not in ("accept", "reject"):
        raise ValidationError(_("Choose whether to count the answers."))
    decide = response_accept if action == "accept" else response_reject
    decided = []
    for response in Response.objects.filter(pk__in=pks, status=Response.Status.FLAGGED):
        decide(response=response, by=by)
        decided.append(response.pk)
    return decided


@transaction.atomic
def responses_reopen(*, pks: list[int], by) -> int:
    """Undo: puts reviewed answers back in the queue, taking counted ones out of the sums."""
    if not access.can_review(by):
        raise PermissionDenied
    reopened = 0
    for response in Response.objects.select_for_update().filter(
        pk__in=pks, status__in=[Response.Status.ACCEPTED, Response.Status.REJECTED]
    ):
        was_counted = response.status == Response.Status.ACCEPTED
        response.reopen()
        response.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        if was_counted:
            _rollup_subtract(response)
        audit_record(
            action="feedback.response_reopened",
            actor=by,
            target=response,
            agency=response.agency,
            data={"was": "accepted" if was_counted else "rejected"},
        )
        reopened += 1
    return reopened


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


@transaction.atomic
def response_erase_contact(*, response: Response, reason: str) -> Response:
    """The citizen's name, email and phone blanked (PDPA: their request, or the retention
    period over); the answer's scores and its place in the figures stay."""
    response = Response.objects.select_for_update().get(pk=response.pk)
    response.contact_name = ""
    response.contact_email = ""
    response.contact_phone = ""
    response.full_clean()
    response.save(update_fields=["contact_name", "contact_email", "contact_phone"])
    audit_record(
        action="feedback.response.contact_erased",
        target=response,
        agency=response.agency,
        data={"reason": reason},
    )
    return response
