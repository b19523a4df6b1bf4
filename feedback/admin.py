from django.contrib import admin

from accounts.access import is_ega_admin
from feedback.models import Reply, Response

CONTACT_FIELDS = ["contact_name", "contact_email", "contact_phone"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """EGA administrators may look; answers are reviewed on /feedback/review/, where the
    figures follow the decision. Nothing is added, changed or deleted here."""

    def has_view_permission(self, request, obj=None):
        return is_ega_admin(request.user)

    def has_module_permission(self, request):
        return is_ega_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["pk", "point", "overall", "status", "flag_reason", "created_at"]
    list_filter = ["status", "flag_reason"]
    # Contact details stay with the agency the citizen wrote to (feedback/access.py).
    exclude = CONTACT_FIELDS
    readonly_fields = [f.name for f in Response._meta.fields if f.name not in CONTACT_FIELDS]


@admin.register(Reply)
class ReplyAdmin(ReadOnlyAdmin):
    list_display = ["pk", "response", "sent_by", "created_at"]
