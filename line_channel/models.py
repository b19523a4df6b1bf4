"""The LINE channel's records (ADR 0120).

`WebhookEvent`: each event LINE delivers, stored at once by the webhook (one INSERT for the
whole request) under a unique `webhookEventId`, so a redelivery is stored and handled once.
Its payload (the user id sealed) is emptied when the event is handled.
`Chat`: one LINE user (by keyed hash), their language and the half-finished conversation,
and the citizen's own space it is linked to (LINE's account link, ADR 0122).
`LinkNonce`: the single-use nonce of one account link a signed-in citizen started.
`ComplaintLink`: a complaint filed from LINE, whom to push its news to (sealed).
`Notice`: a state change waiting to be pushed (several are sent in one push).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.transitions import transition


class WebhookEvent(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        HANDLING = "handling", _("Being handled")
        DONE = "done", _("Handled")
        FAILED = "failed", _("Failed")

    event_id = models.CharField(_("webhook event id"), max_length=64, unique=True)
    kind = models.CharField(_("event type"), max_length=32)
    payload = models.JSONField(_("event content"), default=dict)
    redelivery = models.BooleanField(_("redelivered by LINE"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("LINE webhook event")
        verbose_name_plural = _("LINE webhook events")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "received_at"], name="line_event_queue")]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"

    @transition(source=Status.RECEIVED, target=Status.HANDLING)
    def start(self) -> None:
        """Taken by one worker (the service does it as a conditional UPDATE)."""

    @transition(source=Status.HANDLING, target=Status.DONE)
    def finish(self, *, now=None) -> None:
        self.handled_at = now or timezone.now()
        self.payload = {}

    @transition(source=Status.HANDLING, target=Status.FAILED)
    def fail(self, *, error: str, now=None) -> None:
        self.handled_at = now or timezone.now()
        self.error = error[:200]
        self.payload = {}


class Chat(models.Model):
    """A LINE user we talk with, by keyed hash only."""

    class Step(models.TextChoices):
        IDLE = "idle", _("Nothing under way")
        RATE = "rate", _("Rating a service point")
        REPORT_CATEGORY = "report_category", _("Report: choosing the category")
        REPORT_TEXT = "report_text", _("Report: describing the problem")
        REPORT_PHOTO = "report_photo", _("Report: sending a photo")
        REPORT_LOCATION = "report_location", _("Report: sending the place")

    user_hash = models.CharField(_("LINE user (keyed hash)"), max_length=64, unique=True)
    language = models.CharField(_("language"), max_length=8, default="th")
    step = models.CharField(_("step"), max_length=20, choices=Step.choices, default=Step.IDLE)
    data = models.JSONField(_("answers so far"), default=dict, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    # The citizen's own space, when they linked LINE to it (LINE's account link, ADR 0122).
    citizen = models.ForeignKey(
        "citizens.Citizen",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="line_chats",
        verbose_name=_("citizen"),
    )
    linked_at = models.DateTimeField(_("linked"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("LINE chat")
        verbose_name_plural = _("LINE chats")

    def __str__(self) -> str:
        return self.user_hash[:12]

    def current_step(self, now=None) -> str:
        """The conversation under way, or idle once it has expired."""
        if self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            return self.Step.IDLE
        return self.step


class LinkNonce(models.Model):
    """One account link under way: made when the signed-in citizen agrees on
    /me/line/link/, deleted by LINE's first `accountLink` event that names it (ADR 0122), or
    once expired. Only its hash is kept; the nonce itself travels through LINE and back."""

    citizen = models.ForeignKey(
        "citizens.Citizen",
        on_delete=models.CASCADE,
        related_name="line_link_nonces",
        verbose_name=_("citizen"),
    )
    nonce_hash = models.CharField(_("nonce (keyed hash)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("LINE account link under way")
        verbose_name_plural = _("LINE account links under way")

    def __str__(self) -> str:
        return self.nonce_hash[:12]


class ComplaintLink(models.Model):
    complaint = models.OneToOneField(
        "complaints.Complaint",
        on_delete=models.PROTECT,
        related_name="line_link",
        verbose_name=_("complaint"),
    )
    user_hash = models.CharField(_("LINE user (keyed hash)"), max_length=64, db_index=True)
    # Erased when the complaint is done and its news sent (identity.py).
    user_id_sealed = models.CharField(_("LINE user (sealed)"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, default="th")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("complaint filed on LINE")
        verbose_name_plural = _("complaints filed on LINE")

    def __str__(self) -> str:
        return str(self.complaint_id)


class Notice(models.Model):
    """A complaint's change of state, waiting for the next push to its reporter."""

    class Channel(models.TextChoices):
        PENDING = "", _("Waiting")
        LINE = "line", _("LINE push")
        EMAIL = "email", _("Email")
        NONE = "none", _("Not sent (over the quota, no email)")

    link = models.ForeignKey(ComplaintLink, on_delete=models.CASCADE, related_name="notices")
    state = models.CharField(_("state"), max_length=20)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, blank=True)
    push = models.ForeignKey(
        "line_channel.Push",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["link", "sent_at"], name="line_notice_waiting")]

    def __str__(self) -> str:
        return f"{self.link_id} → {self.state}"


class Push(models.Model):
    """One push request (one message of LINE's monthly count, however many bubbles)."""

    user_hash = models.CharField(_("LINE user (keyed hash)"), max_length=64)
    retry_key = models.UUIDField(_("retry key"), unique=True)
    month = models.CharField(_("month"), max_length=7, db_index=True)  # YYYY-MM, Bangkok time
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent = models.BooleanField(_("sent"), default=False)

    class Meta:
        verbose_name = _("LINE push")
        verbose_name_plural = _("LINE pushes")

    def __str__(self) -> str:
        return f"{self.month} {self.retry_key}"

    def clean(self) -> None:
        if len(self.month) != 7:
            raise ValidationError({"month": _("Give the month as YYYY-MM.")})


class RichMenu(models.Model):
    """The rich menu made by `manage.py line_rich_menu` for each language."""

    language = models.CharField(_("language"), max_length=8, unique=True)
    rich_menu_id = models.CharField(_("rich menu id at LINE"), max_length=100)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("LINE rich menu")
        verbose_name_plural = _("LINE rich menus")

    def __str__(self) -> str:
        return f"{self.language}: {self.rich_menu_id}"
