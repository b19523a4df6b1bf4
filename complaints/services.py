"""Every write to complaints. The form, the Open311 API, the ninja API and the admin call these.

Staff actions are audited as `complaints.complaint.<verb>`; the citizen's own actions are
recorded as `ComplaintEvent` rows (the complaint's timeline is its append-only record).
"""

import datetime
import functools
import hmac
import ipaddress
import re
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import urljoin

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from audit.services import audit_record
from complaints import access, conf, selectors, signals, workdays
from complaints.models import (
    DESCRIPTION_MAX_LENGTH,
    MAX_PHOTOS,
    Category,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    PartnerKey,
    ReferenceCounter,
    ResponseTemplate,
    Route,
    Support,
)
from core import pg, ratelimit
from core.mail import email_enqueue
from core.memo import ProcessCache
from feedback.masking import mask_personal_data
from service_points import geo
from service_points.divisions import province_choices
from service_points.images import ProcessedImage, process_upload

# C0 and C1 control characters other than the line break and tab a textarea sends.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


_RELATIONS = ["category", "service", "point", "agency", "complaint", "from_agency", "to_agency",
              "actor", "duplicate_of"]  # fmt: skip


class TooManyComplaintsError(Exception):
    """The network is over the hard limit: refuse (HTTP 429) and store nothing."""


def device_hash(token: str) -> str:
    return salted_hmac("complaints.device", token or "", algorithm="sha256").hexdigest()


def network_hash(ip: str) -> str:
    """HMAC of the address (IPv6: its /64)."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return salted_hmac("complaints.network", "unknown", algorithm="sha256").hexdigest()
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    key = (
        str(ipaddress.ip_network(f"{address}/64", strict=False))
        if isinstance(address, ipaddress.IPv6Address)
        else str(address)
    )
    return salted_hmac("complaints.network", key, algorithm="sha256").hexdigest()


def clean_text(text: str, *, field: str, max_length: int = DESCRIPTION_MAX_LENGTH) -> str:
    """One parsing helper for citizens' and officers' text: CRLF as one character, no
    control characters, at most `max_length`."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if _CONTROL.search(text):
        raise ValidationError({field: _("The text contains control characters. Remove them.")})
    if len(text) > max_length:
        raise ValidationError(
            {
                field: _("Write at most %(max)s characters (you wrote %(n)s).")
                % {"max": max_length, "n": len(text)}
            }
        )
    return text


def province_at(latitude: float, longitude: float) -> str:
    """The province whose provincial town is nearest, among those whose radius covers the
    place (the project has no province polygons; see the report of issue 12)."""
    best, best_score = "", float("inf")
    for code, town_lat, town_lon, radius in _province_towns():
        distance = geo.haversine_m(latitude, longitude, town_lat, town_lon) / 1000
        score = distance / radius if radius else distance
        if score < best_score:
            best, best_score = code, score
    return best


@functools.cache
def _province_towns() -> tuple[tuple[str, float, float, float], ...]:
    """(code, provincial town's latitude and longitude, radius in km) of every province; a
    province without a town on record scores 0, as `geo.distance_from_province_km` says."""
    towns = []
    for code in sorted(code for code, _name in province_choices()):
        town = geo.province_town(code)
        towns.append((code, town[0], town[1], town[2]) if town else (code, 0.0, 0.0, float("inf")))
    return tuple(towns)


def route_for(
    *, category: Category, point=None, service=None, province_code: str = ""
) -> tuple[Any, str]:
    """(agency or None, Complaint.Routing): the point's agency, the service's agency, the
    routing table for the province, the category's default, else EGA's fallback queue."""
    if point is not None:
        return point.agency, Complaint.Routing.POINT
    if service is not None:
        return service.agency, Complaint.Routing.SERVICE
    route = (
        Route.objects.select_related("agency")
        .filter(category=category, province_code=province_code)
        .first()
    )
    if route is not None:
        return route.agency, Complaint.Routing.ROUTE
    if category.default_agency_id:
        return category.default_agency, Complaint.Routing.CATEGORY
    return None, Complaint.Routing.FALLBACK


def _next_reference(now) -> str:
    """CR-<BE year>-NNNNNN from a counter row locked to the end of the transaction (SQLite;
    on PostgreSQL the one statement takes the number from a sequence per year instead, so
    no filing waits for another; a rolled-back filing leaves a gap, as sequences do)."""
    year_be = timezone.localtime(now).year + 543
    ReferenceCounter.objects.get_or_create(year_be=year_be)
    counter = ReferenceCounter.objects.select_for_update().get(year_be=year_be)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"CR-{year_be}-{counter.last:06d}"


def _network_gate(network: str) -> None:
    """The shared cache refuses a flood before the database is asked (every node counts in
    the same place, ADR 0130); without Redis the stored complaints' count (in `_held` and in
    the one statement) does it."""
    hard = conf.get("COMPLAINTS_NETWORK_HARD_LIMIT_PER_HOUR")
    if not ratelimit.hit(
        "complaints.network", network, limit=hard, window=3600, on_outage=ratelimit.Outage.ALLOW
    ):
        raise TooManyComplaintsError


def _held(*, device: str, network: str, now) -> bool:
    hour_ago = now - timedelta(hours=1)
    from_network = Complaint.objects.filter(network_hash=network, created_at__gte=hour_ago)
    hard = conf.get("COMPLAINTS_NETWORK_HARD_LIMIT_PER_HOUR")
    if from_network[:hard].count() >= hard:
        raise TooManyComplaintsError
    device_limit = conf.get("COMPLAINTS_DEVICE_LIMIT_PER_HOUR")
    from_device = Complaint.objects.filter(device_hash=device, created_at__gte=hour_ago)
    if from_device[:device_limit].count() >= device_limit:
        return True
    soft = conf.get("COMPLAINTS_NETWORK_LIMIT_PER_HOUR")
    return from_network[:soft].count() >= soft


def follow_url(complaint: Complaint, base_url: str) -> str:
    return urljoin(
        base_url or conf.base_url(), reverse("complaints:follow", args=[complaint.follow_token])
    )


def _notify(complaint: Complaint, *, template: str, base_url: str, note: str = "") -> None:
    if not complaint.reporter_email:
        return
    with translation.override("th"):
        email_enqueue(
            to=complaint.reporter_email,
            template=f"complaints/email/{template}",
            context={
                "complaint": complaint,
                "state": complaint.get_state_display(),
                "note": note,
                "link": follow_url(complaint, base_url),
            },
        )


def _event(complaint: Complaint, kind: str, *, by=None, now=None, **fields: Any) -> ComplaintEvent:
    event = ComplaintEvent(
        complaint=complaint,
        kind=kind,
        actor=by if getattr(by, "is_authenticated", False) else None,
        created_at=now or timezone.now(),
        **fields,
    )
    # The foreign keys are objects this module just read: no look-up query for each.
    event.full_clean(exclude=_RELATIONS, validate_unique=False)
    event.save()
    return event


def _clean_texts(
    errors: dict[str, list[str]], description: str, reporter_name: str
) -> tuple[str, str]:
    try:
        description = clean_text(description, field="description")
    except ValidationError as error:
        errors.update(error.message_dict)
    if not description and "description" not in errors:
        errors["description"] = [_("Describe the problem.")]
    try:
        reporter_name = clean_text(reporter_name, field="reporter_name", max_length=200)
    except ValidationError as error:
        errors.update(error.message_dict)
    return description, reporter_name


def _check_choices(errors: dict[str, list[str]], *, category: Category, service, point) -> None:
    if not category.is_active:
        errors["category"] = [_("Choose a category from the list.")]
    if service is not None and service.status != "published":
        errors["service"] = [_("Choose a service from the list.")]
    if point is not None and not point.is_published:
        errors["point"] = [_("This service point is not published.")]


def _process_photos(errors: dict[str, list[str]], photos: Sequence[Any]) -> list[ProcessedImage]:
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("Attach at most %(n)s photos.") % {"n": MAX_PHOTOS}]
        return []
    processed: list[ProcessedImage] = []
    for upload in photos:
        try:
            processed.append(process_upload(upload))
        except ValidationError as error:
            errors["photos"] = error.message_dict.get("image", error.messages)
            break
    return processed


def _locate(
    errors: dict[str, list[str]],
    latitude: float | None,
    longitude: float | None,
    processed: list[ProcessedImage],
) -> tuple[float | None, float | None]:
    if latitude is None or longitude is None:
        # No pin: the place where the first photo was taken (its GPS, read before the
        # re-encoding dropped it) is offered as the location.
        gps = next((image.gps for image in processed if image.gps), None)
        if gps is not None:
            latitude, longitude = gps
    if latitude is None or longitude is None:
        errors["location"] = [_("Pin the place on the map, or choose a service point.")]
    elif not geo.in_thailand(float(latitude), float(longitude)):
        errors["location"] = [_("The place is outside Thailand. Pin a place in Thailand.")]
    return latitude, longitude


def complaint_submit(
    *,
    category: Category,
    description: str,
    latitude: float | None = None,
    longitude: float | None = None,
    point=None,
    service=None,
    photos: Sequence[Any] = (),
    reporter_name: str = "",
    name_public: bool = False,
    reporter_email: str = "",
    reporter_phone: str = "",
    device_token: str = "",
    ip: str = "",
    network_token: str = "",
    source: str = Complaint.Source.WEB,
    base_url: str = "",
    now=None,
) -> Complaint:
    """Files a complaint, routes it, sets its deadline. Raises ValidationError (nothing stored)
    or TooManyComplaintsError (HTTP 429). A channel that knows its sender better than by
    address (LINE's signed user id) gives `network_token` instead of `ip`.

    The one write path of every channel (form, Open311, API, LINE). On PostgreSQL the limits,
    the routing, the reference, the row and its "filed" event are one prepared statement
    (ADR 0101); without photos or mail to send that statement is the whole write, atomic by
    itself. Otherwise (photos, an email to enqueue, or SQLite) it runs in one transaction."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    description, reporter_name = _clean_texts(errors, description, reporter_name)
    _check_choices(errors, category=category, service=service, point=point)
    if point is not None and (latitude is None or longitude is None):
        latitude, longitude = point.latitude, point.longitude
    processed = _process_photos(errors, photos)
    latitude, longitude = _locate(errors, latitude, longitude, processed)
    if errors:
        raise ValidationError(errors)
    assert latitude is not None and longitude is not None
    latitude, longitude = round(float(latitude), 6), round(float(longitude), 6)
    complaint = Complaint(
        category=category,
        service=service,
        point=point,
        description=description,
        description_public=mask_personal_data(description),
        latitude=latitude,
        longitude=longitude,
        province_code=point.province_code
        if point is not None
        else province_at(latitude, longitude),
        reporter_name=reporter_name,
        name_public=bool(name_public and reporter_name),
        reporter_email=(reporter_email or "").strip(),
        reporter_phone=(reporter_phone or "").strip(),
        deadline=_deadline(now, category.deadline_working_days),
        created_at=now,
        state_changed_at=now,
        source=source,
        device_hash=device_hash(device_token),
        network_hash=_sender_network(ip=ip, network_token=network_token),
    )
    _route_by_choice(complaint, point=point, service=service)
    # Reference and token are generated unique (the database's constraints still hold them);
    # the foreign keys are the objects checked above.
    complaint.full_clean(exclude=[*_RELATIONS, "reference", "routing"], validate_unique=False)
    limited = bool(device_token or ip or network_token)
    if limited:
        _network_gate(complaint.network_hash)
    if pg.is_postgresql() and not processed and not complaint.reporter_email:
        return _file_in_one_statement(complaint, limited=limited)  # the usual complaint
    with transaction.atomic():
        if pg.is_postgresql():
            _file_in_one_statement(complaint, limited=limited)
        else:
            _file_in_steps(complaint, limited=limited)
        _save_photos(complaint, processed)
        _notify(complaint, template="submitted", base_url=base_url)
    return complaint


def _sender_network(*, ip: str, network_token: str) -> str:
    """A channel that knows its sender (LINE's user id) counts them as their own network."""
    if network_token:
        return salted_hmac("complaints.network", network_token, algorithm="sha256").hexdigest()
    return network_hash(ip)


def _route_by_choice(complaint: Complaint, *, point, service) -> None:
    if point is not None:
        complaint.agency, complaint.routing = point.agency, Complaint.Routing.POINT
    elif service is not None:
        complaint.agency, complaint.routing = service.agency, Complaint.Routing.SERVICE


def _save_photos(complaint: Complaint, processed) -> None:
    for image in processed:
        photo = ComplaintPhoto(complaint=complaint, width=image.width, height=image.height)
        photo.image.save("photo.jpg", ContentFile(image.content), save=False)
        photo.thumbnail.save("thumb.jpg", ContentFile(image.thumbnail), save=False)
        photo.save()


# Deadlines by (filing day, working days): the holidays change a few times a year, and the
# Holiday table would otherwise be read for every complaint. Saving a Holiday forgets them in
# this process (complaints.apps); other processes keep theirs up to the configured seconds.
_DEADLINES: ProcessCache[datetime.date] = ProcessCache("complaints.deadlines", max_entries=1_000)


def _deadline(now, days: int) -> datetime.date:
    filed = timezone.localtime(now).date()
    seconds = conf.get("COMPLAINTS_CACHE_SECONDS")
    deadline = _DEADLINES.get((filed, days)) if seconds > 0 else None
    if deadline is None:
        deadline = workdays.add_working_days(filed, days)
        if seconds > 0:
            _DEADLINES.set((filed, days), deadline, until=time.monotonic() + seconds)
    return deadline


def deadlines_forget(**_kwargs) -> None:
    """Connected to saves and deletes of extra holidays (complaints.apps)."""
    _DEADLINES.forget()
    transaction.on_commit(_DEADLINES.forget)


def _file_in_steps(complaint: Complaint, *, limited: bool) -> None:
    """SQLite (the embedded default): the same rules as the one statement, one query each,
    in the caller's transaction."""
    now = complaint.created_at
    fresh = Category.objects.filter(pk=complaint.category_id, is_active=True).first()
    if fresh is None:  # withdrawn since the caller (or a process's copy) read it
        raise ValidationError({"category": [_("Choose a category from the list.")]})
    if fresh.deadline_working_days != complaint.category.deadline_working_days:
        complaint.category = fresh
        complaint.deadline = _deadline(now, fresh.deadline_working_days)
    if limited:
        complaint.held = _held(
            device=complaint.device_hash, network=complaint.network_hash, now=now
        )
    if not complaint.routing:
        complaint.agency, complaint.routing = route_for(
            category=complaint.category, province_code=complaint.province_code
        )
    complaint.reference = _next_reference(now)
    complaint.save(force_insert=True)
    _event(complaint, ComplaintEvent.Kind.SUBMITTED, now=now, to_agency=complaint.agency)


def _sequence_name(now) -> str:
    return f"complaints_reference_{timezone.localtime(now).year + 543:d}"


# Sequences known to exist in this database (one per Buddhist-Era year).
_SEQUENCES: ProcessCache[bool] = ProcessCache("complaints.sequences")


def _ensure_sequence(name: str) -> None:
    """Creates the year's sequence the first time this process files in that year."""
    if _SEQUENCES.get(name):
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:  # a savepoint if need be
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}")
    except IntegrityError:  # another process created it at the same moment
        pass
    if not connection.in_atomic_block:  # a rolled-back transaction would take it away
        _SEQUENCES.set(name, True)


_SUBMITTED_COLUMNS = ("reference", "agency_id", "routing", "held")


@functools.cache
def _insert_columns() -> tuple[tuple[str, str], ...]:
    """(column, the SQL type its parameter is cast to) for every column a new complaint is
    written with; varchar parameters are cast to text so a value too long fails, never
    truncates."""
    columns = []
    for field in Complaint._meta.concrete_fields:
        if field.primary_key:
            continue
        db_type = field.db_type(connection) or "text"
        columns.append((field.column, "text" if db_type.startswith("varchar") else db_type))
    return tuple(columns)


@functools.cache
def _one_statement_sql() -> str:
    """The limits, the routing, the reference, the complaint and its "filed" event in one
    data-modifying statement. `route_for`, `_held` and `_next_reference` are the same rules
    one query at a time (the SQLite path); tests run both and compare what they store."""
    table = Complaint._meta.db_table
    events = ComplaintEvent._meta.db_table
    categories, routes = Category._meta.db_table, Route._meta.db_table
    decided = {
        "reference": "%(reference_prefix)s || lpad(n.v::text, greatest(6, length(n.v::text)), '0')",
        "agency_id": "decided.agency_id",
        "routing": "decided.routing",
        "held": "decided.verdict = 'held'",
    }
    columns = _insert_columns()
    values = ", ".join(decided.get(column, f"%({column})s::{kind}") for column, kind in columns)
    routing = Complaint.Routing
    return f"""
WITH category AS (
  SELECT c.id, c.default_agency_id FROM {categories} c
  WHERE c.id = %(category_id)s::bigint AND c.is_active
    AND c.deadline_working_days = %(deadline_days)s::int
), routed AS (
  SELECT
    CASE WHEN %(routing)s::text <> '' THEN %(agency_id)s::bigint
      ELSE COALESCE(r.agency_id, category.default_agency_id) END AS agency_id,
    CASE WHEN %(routing)s::text <> '' THEN %(routing)s::text
      WHEN r.agency_id IS NOT NULL THEN '{routing.ROUTE.value}'
      WHEN category.default_agency_id IS NOT NULL THEN '{routing.CATEGORY.value}'
      ELSE '{routing.FALLBACK.value}' END AS routing
  FROM category LEFT JOIN {routes} r
    ON r.category_id = category.id AND r.province_code = %(province_code)s::text
), seen AS (
  SELECT
    (SELECT count(*) FROM (SELECT 1 FROM {table} WHERE network_hash = %(network_hash)s::text
      AND created_at >= %(hour_ago)s::timestamptz LIMIT %(hard_limit)s::int) AS n) AS network,
    (SELECT count(*) FROM (SELECT 1 FROM {table} WHERE device_hash = %(device_hash)s::text
      AND created_at >= %(hour_ago)s::timestamptz LIMIT %(device_limit)s::int) AS d) AS device
), decided AS (
  SELECT routed.agency_id, routed.routing,
    CASE WHEN NOT %(limited)s::boolean THEN ''
      WHEN seen.network >= %(hard_limit)s::int THEN 'refused'
      WHEN seen.device >= %(device_limit)s::int OR seen.network >= %(soft_limit)s::int
        THEN 'held'
      ELSE '' END AS verdict
  FROM routed, seen
), stored AS (
  INSERT INTO {table} ({", ".join(column for column, _kind in columns)})
  SELECT {values}
  FROM decided, (SELECT nextval(%(sequence)s::regclass) AS v) AS n
  WHERE decided.verdict <> 'refused'
  RETURNING id, {", ".join(_SUBMITTED_COLUMNS)}
), event AS (
  INSERT INTO {events} (complaint_id, kind, state_from, state_to, to_agency_id, note,
    internal, created_at)
  SELECT id, '{ComplaintEvent.Kind.SUBMITTED.value}', '', '', agency_id, '', false,
    %(created_at)s::timestamptz
  FROM stored
)
SELECT (SELECT count(*) FROM category), (SELECT verdict FROM decided), stored.id,
  {", ".join(f"stored.{column}" for column in _SUBMITTED_COLUMNS)}
FROM (SELECT 1) AS one LEFT JOIN stored ON true
"""  # noqa: S608 - table and column names come from the models, values are parameters


def _statement_params(complaint: Complaint, *, limited: bool) -> dict[str, Any]:
    now = complaint.created_at
    params: dict[str, Any] = {
        column: field.get_db_prep_save(getattr(complaint, field.attname), connection)
        for field in Complaint._meta.concrete_fields
        for column in (field.column,)
        if not field.primary_key
    }
    params.update(
        reference_prefix=f"CR-{timezone.localtime(now).year + 543}-",
        sequence=_sequence_name(now),
        deadline_days=complaint.category.deadline_working_days,
        limited=limited,
        hour_ago=now - timedelta(hours=1),
        device_limit=conf.get("COMPLAINTS_DEVICE_LIMIT_PER_HOUR"),
        soft_limit=conf.get("COMPLAINTS_NETWORK_LIMIT_PER_HOUR"),
        hard_limit=conf.get("COMPLAINTS_NETWORK_HARD_LIMIT_PER_HOUR"),
    )
    return params


def _file_in_one_statement(complaint: Complaint, *, limited: bool) -> Complaint:
    """PostgreSQL: one round trip, prepared once per connection. The category may come from
    a process's copy (complaints.selectors): the statement checks it is still offered with
    the same deadline; if not, the fresh row decides (refused, or the deadline again)."""
    _ensure_sequence(_sequence_name(complaint.created_at))
    row = _execute_one_statement(_statement_params(complaint, limited=limited), complaint)
    found, verdict, pk, *submitted = row
    if not found:
        fresh = Category.objects.filter(pk=complaint.category_id, is_active=True).first()
        selectors.categories_forget()
        if fresh is None:
            raise ValidationError({"category": [_("Choose a category from the list.")]})
        complaint.category = fresh
        complaint.deadline = _deadline(complaint.created_at, fresh.deadline_working_days)
        return _file_in_one_statement(complaint, limited=limited)
    if verdict == "refused":
        raise TooManyComplaintsError
    for name, value in zip(_SUBMITTED_COLUMNS, submitted, strict=True):
        setattr(complaint, name, value)
    complaint.pk = pk
    complaint._state.adding = False
    complaint._state.db = connection.alias
    return complaint


def _execute_one_statement(params: dict[str, Any], complaint: Complaint) -> tuple:
    """A connection kept from an earlier request may have died with a database restart (no
    per-request health check: it costs a round trip), so a failure outside a transaction is
    tried once more on a new connection. If the first try did commit, the complaint is found
    by its follow token (unique, made before) instead of filed twice."""
    for attempt in (1, 2):
        try:
            if attempt == 2:
                again = _already_filed(complaint.follow_token)
                if again is not None:
                    return again
            row = pg.fetchone(_one_statement_sql(), params, prepare=True)
            assert row is not None  # the statement always selects one row
            return row
        except (OperationalError, InterfaceError):
            if attempt == 2 or connection.in_atomic_block:
                raise
            connection.close()
    raise AssertionError("unreachable")  # pragma: no cover


def _already_filed(token: str) -> tuple | None:
    row = (
        Complaint.objects.filter(follow_token=token).values_list("pk", *_SUBMITTED_COLUMNS).first()
    )
    return (1, "held" if row[-1] else "", *row) if row is not None else None


@transaction.atomic
def complaint_transition(
    *,
    complaint: Complaint,
    state: str,
    by,
    note: str = "",
    duplicate_of: Complaint | None = None,
    base_url: str = "",
) -> Complaint:
    """The agency moves a complaint, with a public note; the reporter is told by email."""
    if not access.can_act_on(by, complaint):
        raise PermissionDenied
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    note = clean_text(note, field="note")
    if state == Complaint.State.DUPLICATE:
        if duplicate_of is None or duplicate_of.pk == complaint.pk:
            raise ValidationError(
                {"duplicate_of": _("Give the reference of the original complaint.")}
            )
        complaint.duplicate_of = duplicate_of
    if state in Complaint.CLOSED_STATES and not note:
        raise ValidationError({"note": _("Say in a public note why the complaint is closed.")})
    old = complaint.transition(state)
    complaint.full_clean()
    complaint.save()
    _event(complaint, ComplaintEvent.Kind.STATE, by=by, state_from=old, state_to=state, note=note)
    audit_record(
        action="complaints.complaint.state_changed",
        actor=by,
        target=complaint,
        agency=complaint.agency,
        data={"from": old, "to": state},
    )
    _notify(complaint, template="state_changed", base_url=base_url, note=note)
    signals.state_changed.send(Complaint, complaint=complaint, old=old, new=state, note=note)
    return complaint


@transaction.atomic
def complaint_hand_over(*, complaint: Complaint, to_agency, by, reason: str) -> Complaint:
    """Gives the complaint to another agency (or EGA assigns one from the fallback queue)."""
    if not access.can_act_on(by, complaint):
        raise PermissionDenied
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    reason = clean_text(reason, field="reason")
    if not reason:
        raise ValidationError({"reason": _("Say why the complaint goes to another agency.")})
    if to_agency is None or to_agency.pk == complaint.agency_id:
        raise ValidationError({"to_agency": _("Choose another agency.")})
    if not complaint.is_open:
        raise ValidationError(_("A fixed or closed complaint cannot be handed over."))
    from_agency = complaint.agency
    triage = from_agency is None
    complaint.agency = to_agency
    complaint.routing = Complaint.Routing.TRIAGED if triage else Complaint.Routing.HANDED_OVER
    complaint.save(update_fields=["agency", "routing"])
    _event(
        complaint,
        ComplaintEvent.Kind.ASSIGNED if triage else ComplaintEvent.Kind.HANDED_OVER,
        by=by,
        from_agency=from_agency,
        to_agency=to_agency,
        note=reason,
    )
    audit_record(
        action="complaints.complaint.handed_over",
        actor=by,
        target=complaint,
        agency=from_agency,
        data={"from": getattr(from_agency, "code", None), "to": to_agency.code},
    )
    return complaint


@transaction.atomic
def complaint_note_add(*, complaint: Complaint, by, note: str) -> ComplaintEvent:
    """An internal note: the agency's and EGA's eyes only."""
    if not access.can_act_on(by, complaint):
        raise PermissionDenied
    note = clean_text(note, field="note")
    if not note:
        raise ValidationError({"note": _("Write the note.")})
    event = _event(complaint, ComplaintEvent.Kind.NOTE, by=by, note=note, internal=True)
    audit_record(
        action="complaints.complaint.note_added",
        actor=by,
        target=complaint,
        agency=complaint.agency,
    )
    return event


@transaction.atomic
def complaint_moderate(*, complaint: Complaint, by, hide_text: bool, reason: str) -> Complaint:
    """Hides (or shows again) the text and photos in public; the original stays for the record."""
    if not access.can_moderate(by):
        raise PermissionDenied
    reason = clean_text(reason, field="reason")
    if not reason:
        raise ValidationError({"reason": _("Say why.")})
    complaint.text_hidden = hide_text
    complaint.save(update_fields=["text_hidden"])
    complaint.photos.update(hidden=hide_text)
    _event(complaint, ComplaintEvent.Kind.MODERATED, by=by, note=reason, internal=True)
    audit_record(
        action="complaints.complaint.moderated",
        actor=by,
        target=complaint,
        agency=complaint.agency,
        data={"hide_text": hide_text},
    )
    return complaint


@transaction.atomic
def complaint_release(*, complaint: Complaint, by) -> Complaint:
    """EGA lets a held complaint (rate limits) count and be public."""
    if not access.can_moderate(by):
        raise PermissionDenied
    if not complaint.held:
        raise ValidationError(_("This complaint is not held."))
    complaint.held = False
    complaint.save(update_fields=["held"])
    audit_record(action="complaints.complaint.released", actor=by, target=complaint)
    return complaint


@transaction.atomic
def complaint_confirm_fixed(*, complaint: Complaint, now=None) -> Complaint:
    """The reporter (through the private link) says the fix is real."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.state != Complaint.State.FIXED:
        raise ValidationError(_("Only a fixed complaint can be confirmed."))
    if complaint.reporter_confirmed_at is not None:
        raise ValidationError(_("You have already confirmed this fix."))
    now = now or timezone.now()
    complaint.reporter_confirmed_at = now
    complaint.save(update_fields=["reporter_confirmed_at"])
    _event(complaint, ComplaintEvent.Kind.CONFIRMED, now=now)
    return complaint


@transaction.atomic
def complaint_reopen(
    *, complaint: Complaint, reason: str, base_url: str = "", now=None
) -> Complaint:
    """The reporter says it is not fixed (or the closing was wrong): confirmed again, with a
    new deadline and the reopen counter up by one."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    reason = clean_text(reason, field="reason")
    if not reason:
        raise ValidationError({"reason": _("Say what is still wrong.")})
    now = now or timezone.now()
    old = complaint.reopen(now=now)
    complaint.deadline = workdays.add_working_days(
        timezone.localtime(now).date(), complaint.category.deadline_working_days
    )
    complaint.save()
    _event(
        complaint,
        ComplaintEvent.Kind.REOPENED,
        now=now,
        state_from=old,
        state_to=complaint.state,
        note=mask_personal_data(reason),
    )
    _notify(complaint, template="state_changed", base_url=base_url)
    signals.state_changed.send(
        Complaint, complaint=complaint, old=old, new=complaint.state, note=""
    )
    return complaint


def complaint_support(*, complaint: Complaint, device_token: str) -> bool:
    """ "Me too" from one device, once. False if this device already supported it."""
    complaint.refresh_from_db(fields=["state", "held"])
    if not complaint.is_open or complaint.held:
        raise ValidationError(_("Only an open complaint can be supported."))
    try:
        with transaction.atomic():
            Support.objects.create(complaint=complaint, device_hash=device_hash(device_token))
            Complaint.objects.filter(pk=complaint.pk).update(supporters=F("supporters") + 1)
    except IntegrityError:
        return False
    return True


def questionnaire_send_due(*, now=None) -> int:
    """Asks once, four weeks after "fixed", whether it still is (FixMyStreet's questionnaire).
    Run daily by `manage.py nightly` and the `complaints_questionnaires` task."""
    now = now or timezone.now()
    due = now - timedelta(days=conf.get("COMPLAINTS_QUESTIONNAIRE_DAYS"))
    sent = 0
    pks = Complaint.objects.filter(
        state=Complaint.State.FIXED, fixed_at__lte=due, questionnaire_sent_at__isnull=True
    ).exclude(reporter_email="")
    for pk in pks.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            complaint = Complaint.objects.select_for_update().get(pk=pk)
            if complaint.questionnaire_sent_at is not None:
                continue
            complaint.questionnaire_sent_at = now
            complaint.save(update_fields=["questionnaire_sent_at"])
            _notify(complaint, template="questionnaire", base_url="")
            sent += 1
    return sent


@transaction.atomic
def questionnaire_answer(
    *, complaint: Complaint, still_fixed: bool, base_url: str = "", now=None
) -> Complaint:
    """The reporter's answer is public; "no" reopens the complaint."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.questionnaire_sent_at is None or complaint.questionnaire_answered_at:
        raise ValidationError(_("There is no question waiting for an answer."))
    now = now or timezone.now()
    complaint.questionnaire_still_fixed = still_fixed
    complaint.questionnaire_answered_at = now
    complaint.save(update_fields=["questionnaire_still_fixed", "questionnaire_answered_at"])
    _event(
        complaint,
        ComplaintEvent.Kind.QUESTIONNAIRE,
        now=now,
        note=_("Still fixed") if still_fixed else _("Not fixed any more"),
    )
    if not still_fixed and complaint.state == Complaint.State.FIXED:
        complaint_reopen(
            complaint=complaint,
            reason=_("Four weeks on, the reporter says it is not fixed."),
            base_url=base_url,
            now=now,
        )
        complaint.refresh_from_db()
    return complaint


@transaction.atomic
def template_save(
    *, agency, by, title: str, text: str, template: ResponseTemplate | None = None
) -> ResponseTemplate:
    if not access.can_manage_templates(by, agency):
        raise PermissionDenied
    template = template or ResponseTemplate(agency=agency)
    if template.agency_id != agency.pk:
        raise PermissionDenied
    template.title = clean_text(title, field="title", max_length=100)
    template.text = clean_text(text, field="text")
    template.full_clean()
    template.save()
    audit_record(action="complaints.template.saved", actor=by, target=template, agency=agency)
    return template


# --- partner channels' keys (Open311 POST) -------------------------------------------------
@transaction.atomic
def partner_key_issue(*, by, name: str, contact: str = "") -> tuple[PartnerKey, str]:
    """EGA issues a key to a partner channel. Returns the key and its secret, which is shown
    once; only its hash is kept."""
    if not access.can_manage_partner_keys(by):
        raise PermissionDenied
    prefix, secret = PartnerKey.generate()
    key = PartnerKey(
        name=clean_text(name, field="name", max_length=100),
        contact=clean_text(contact, field="contact", max_length=200),
        prefix=prefix,
        key_hash=PartnerKey.hash(secret),
        created_by=by,
    )
    if not key.name:
        raise ValidationError({"name": _("Name the partner channel.")})
    key.full_clean(exclude=["created_by"])
    key.save()
    audit_record(
        action="complaints.partner_key.issued",
        actor=by,
        target=key,
        data={"prefix": prefix, "name": key.name},
    )
    return key, secret


@transaction.atomic
def partner_key_revoke(*, key: PartnerKey, by) -> PartnerKey:
    if not access.can_manage_partner_keys(by):
        raise PermissionDenied
    key = PartnerKey.objects.select_for_update().get(pk=key.pk)
    key.revoke()
    key.save(update_fields=["revoked_at"])
    audit_record(
        action="complaints.partner_key.revoked",
        actor=by,
        target=key,
        data={"prefix": key.prefix, "name": key.name},
    )
    return key


def partner_key_authenticate(*, secret: str) -> PartnerKey | None:
    """The active partner key whose secret this is, or None."""
    parts = (secret or "").split("_", 2)
    if len(parts) < 3 or parts[0] != PartnerKey.SCHEME:
        return None
    key = PartnerKey.objects.filter(prefix=parts[1][: PartnerKey.PREFIX_LENGTH]).first()
    if key is None or not key.is_active:
        return None
    if not hmac.compare_digest(key.key_hash, PartnerKey.hash(secret)):
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        PartnerKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


@transaction.atomic
def complaint_erase_contact(*, complaint: Complaint, reason: str) -> Complaint:
    """The reporter's name, email and phone blanked (PDPA: the citizen's request, or the
    retention period over); the complaint, its history and its figures stay."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    complaint.reporter_name = ""
    complaint.name_public = False
    complaint.reporter_email = ""
    complaint.reporter_phone = ""
    complaint.full_clean()
    complaint.save(
        update_fields=["reporter_name", "name_public", "reporter_email", "reporter_phone"]
    )
    audit_record(
        action="complaints.complaint.contact_erased",
        target=complaint,
        agency=complaint.agency,
        data={"reason": reason},
    )
    return complaint
