"""Read-only views of the channel; each page says whether the channel is on."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _

from line_channel import conf
from line_channel.models import ComplaintLink, Push, RichMenu, WebhookEvent


def channel_status() -> tuple[int, str]:
    if conf.enabled():
        return messages.INFO, _("The LINE channel is on: the webhook is at /line/webhook.")
    return messages.WARNING, _(
        "The LINE channel is off: set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN "
        "(README, Configuration) to turn it on."
    )


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        level, text = channel_status()
        self.message_user(request, text, level)
        return super().changelist_view(request, extra_context)


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnly):
    list_display = ["event_id", "kind", "status", "redelivery", "received_at", "handled_at"]
    list_filter = ["status", "kind", "redelivery"]
    exclude = ["payload"]  # sealed user ids; emptied once handled


@admin.register(ComplaintLink)
class ComplaintLinkAdmin(ReadOnly):
    list_display = ["complaint", "language", "created_at"]
    exclude = ["user_hash", "user_id_sealed"]


@admin.register(Push)
class PushAdmin(ReadOnly):
    list_display = ["month", "created_at", "sent"]
    exclude = ["user_hash"]


@admin.register(RichMenu)
class RichMenuAdmin(ReadOnly):
    list_display = ["language", "rich_menu_id", "created_at"]
