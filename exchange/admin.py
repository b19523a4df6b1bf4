"""Django admin for EGA administrators (superusers). The portal pages at /gdx/ are the
everyday tool; here, logs are read-only and nothing is ever deleted."""

from django.contrib import admin

from accounts.access import can_oversee, is_ega_admin
from exchange.models import (
    AccessRight,
    AuditLogLeaf,
    DocumentType,
    Exchange,
    Member,
    MemberKey,
    SignedTreeHead,
)


class HubAdmin(admin.ModelAdmin):
    def has_view_permission(self, request, obj=None):
        return can_oversee(request.user)

    def has_add_permission(self, request):
        return is_ega_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_ega_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # suspend, revoke, withdraw or archive instead

    def has_module_permission(self, request):
        return can_oversee(request.user)


class ReadOnlyAdmin(HubAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Members, keys and rights are written on the portal's pages (/gdx/), through the services
# that check keys and record every change in the audit trail; here they are only read.
@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ["code", "agency", "status", "endpoint"]
    list_filter = ["status"]
    readonly_fields = ["code", "status", "status_changed_at"]
    autocomplete_fields = ["agency"]


@admin.register(MemberKey)
class MemberKeyAdmin(ReadOnlyAdmin):
    list_display = ["member", "use", "algorithm", "kid", "valid_from", "valid_until", "revoked_at"]
    list_filter = ["use", "algorithm"]
    readonly_fields = ["kid", "revoked_at", "revoked_reason"]


@admin.register(DocumentType)
class DocumentTypeAdmin(HubAdmin):
    list_display = ["code", "name_th", "provider", "status"]


@admin.register(AccessRight)
class AccessRightAdmin(ReadOnlyAdmin):
    list_display = ["consumer", "document_type", "purpose", "valid_from", "valid_until", "status"]
    list_filter = ["status", "document_type"]
    readonly_fields = ["status", "withdrawn_at", "granted_by"]


@admin.register(Exchange)
class ExchangeAdmin(ReadOnlyAdmin):
    list_display = [
        "received_at",
        "consumer",
        "provider",
        "document_type",
        "status",
        "refusal_code",
    ]
    list_filter = ["status", "document_type"]


@admin.register(AuditLogLeaf)
class AuditLogLeafAdmin(ReadOnlyAdmin):
    list_display = ["index", "event", "request_id", "created_at"]


@admin.register(SignedTreeHead)
class SignedTreeHeadAdmin(ReadOnlyAdmin):
    list_display = ["tree_size", "timestamp_ms", "created_at"]
