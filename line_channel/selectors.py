"""Every read of the LINE channel, and what other apps may ask of it."""

from django.db.models import QuerySet

from complaints.models import Complaint
from line_channel import identity
from line_channel.models import Chat, Notice, RichMenu
from manual.models import Service
from manual.selectors import service_search


def linked_hashes(*, citizen) -> QuerySet:
    """The keyed hashes of the LINE accounts linked to a citizen's space (a subquery)."""
    return Chat.objects.filter(citizen=citizen).values("user_hash")


def complaints_for_line_user(
    *, line_user_id: str | None = None, user_hash: str | None = None, citizen=None
) -> QuerySet[Complaint]:
    """Complaints filed from one LINE account, newest first: by its LINE user id, its keyed
    hash, or the citizen whose space it is linked to (ADR 0122)."""
    if line_user_id:
        user_hash = identity.user_hash(line_user_id)
    if citizen is not None and not user_hash:
        return Complaint.objects.filter(
            line_link__user_hash__in=linked_hashes(citizen=citizen)
        ).order_by("-created_at")
    if not user_hash:
        return Complaint.objects.none()
    return Complaint.objects.filter(line_link__user_hash=user_hash).order_by("-created_at")


def line_links_of(*, citizen) -> list[dict]:
    """The LINE accounts linked to the citizen's space: when (the hash is not shown)."""
    return [
        {"linked_at": linked_at}
        for linked_at in Chat.objects.filter(citizen=citizen)
        .order_by("linked_at")
        .values_list("linked_at", flat=True)
    ]


def notices_waiting(*, user_hash: str, unsent_only: bool) -> list[Notice]:
    """State changes not yet told; `unsent_only`: those no push or email has tried either."""
    qs = Notice.objects.filter(link__user_hash=user_hash, sent_at__isnull=True)
    if unsent_only:
        qs = qs.filter(channel=Notice.Channel.PENDING)
    return list(qs.select_related("link__complaint").order_by("created_at", "pk")[:20])


def linked_email(*, user_hash: str) -> str:
    """The email a citizen who linked this LINE account confirmed in their space (their
    notification address first), for a state change LINE could not carry."""
    chat = Chat.objects.filter(user_hash=user_hash).select_related("citizen").first()
    citizen = getattr(chat, "citizen", None)
    if citizen is None or citizen.status != citizen.Status.ACTIVE:
        return ""
    if citizen.notify_email:
        return citizen.notify_email
    confirmed = citizen.contacts.filter(kind="email", confirmed_at__isnull=False)
    return confirmed.order_by("confirmed_at").values_list("value", flat=True).first() or ""


def rich_menu_for(*, language: str) -> RichMenu | None:
    return RichMenu.objects.filter(language=language).first()


def services_with_versions(services: list[Service]) -> list[Service]:
    """The search's services with their published snapshot and agency, in the same order."""
    loaded = Service.objects.select_related("current_version", "agency").in_bulk(
        [service.pk for service in services]
    )
    return [loaded[s.pk] for s in services if s.pk in loaded and loaded[s.pk].current_version]


def service_of_point(*, point, pk) -> Service | None:
    if point is None or not pk:
        return None
    return Service.objects.filter(
        pk=pk, agency_id=point.agency_id, status=Service.Status.PUBLISHED
    ).first()


# What people add around a service's name when they ask in a chat ("ทำบัตรประชาชน ใช้อะไรบ้าง").
_QUESTION_WORDS = (
    "ใช้อะไรบ้าง", "ต้องใช้", "ใช้เอกสาร", "เอกสาร", "อะไรบ้าง", "อะไร", "บ้าง", "ยังไง",
    "อย่างไร", "ได้ที่ไหน", "ที่ไหน", "ไหม", "ครับ", "ค่ะ", "คะ", "หน่อย", "อยาก", "ต้อง", "ใช้",
    "what", "which", "documents", "document", "do", "i", "need", "how", "where", "please",
)  # fmt: skip


def _without_question_words(text: str) -> str:
    words = []
    for word in text.replace("?", " ").split():
        for question in _QUESTION_WORDS:
            if word.lower() != question:
                word = word.replace(question, " ") if not word.isascii() else word
        if word.lower() not in _QUESTION_WORDS:
            words.append(word)
    return " ".join(" ".join(words).split())


def manual_search(*, text: str, limit: int) -> list[Service]:
    """The Manual's search as a chat asks it: the whole text, then without the question's
    words, then its longest word alone; each published service with its snapshot."""
    tries = [text, _without_question_words(text)]
    tries += sorted(tries[-1].split(), key=len, reverse=True)[:1]
    for query in dict.fromkeys(q for q in tries if q.strip()):
        found = service_search(query=query, limit=limit).services
        if found:
            return services_with_versions(found)
    return []
