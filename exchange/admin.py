"""Django admin for EGA administrators (superusers). The portal pages at /gdx/ are the
everyday tool; here, logs are read-only and nothing is ever deleted."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.access import can_oversee, is_ega_admin
from exchange import services
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


def _service_action(service, keyword, description):
    """An admin action passing each selected record to `service` as `keyword` (audited)."""

    @admin.action(description=description, permissions=["view"])
    def action(modeladmin, request, queryset):
        if not is_ega_admin(request.user):
            raise PermissionDenied
        for record in queryset:
            try:
                service(**{keyword: record}, by=request.user)
            except ValidationError as error:
                modeladmin.message_user(
                    request, f"{record}: {' '.join(error.messages)}", messages.ERROR
                )

    action.__name__ = service.__name__
    return action


@admin.register(Member)
class MemberAdmin(HubAdmin):
    """Registers and changes members through the same services as the /gdx/ pages."""

    list_display = ["code", "agency", "status", "endpoint"]
    list_filter = ["status"]
    fields = ["agency", "code", "endpoint", "status", "status_changed_at"]
    readonly_fields = ["code", "status", "status_changed_at"]
    autocomplete_fields = ["agency"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = [
        _service_action(services.member_suspend, "member", _("Suspend")),
        _service_action(services.member_reactivate, "member", _("Reactivate")),
        _service_action(services.member_revoke, "member", _("Revoke membership")),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "agency"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.member_register(
                agency=form.cleaned_data["agency"],
                endpoint=form.cleaned_data.get("endpoint") or "",
                by=request.user,
            )
            obj.pk, obj.code = created.pk, created.code  # for the admin's message and redirect
        elif "endpoint" in form.changed_data:
            services.member_update_endpoint(
                member=Member.objects.get(pk=obj.pk),
                endpoint=form.cleaned_data["endpoint"] or "",
                by=request.user,
            )


@admin.register(MemberKey)
class MemberKeyAdmin(HubAdmin):
    """Keys are added on the member's /gdx/ page; here they are read and revoked (audited)."""

    list_display = ["member", "use", "algorithm", "kid", "valid_from", "valid_until", "revoked_at"]
    list_filter = ["use", "algorithm"]
    readonly_fields = [
        "member",
        "use",
        "algorithm",
        "kid",
        "valid_from",
        "valid_until",
        "revoked_at",
        "revoked_reason",
    ]
    actions = [_service_action(services.member_key_revoke, "key", _("Revoke key"))]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # read-only form; the revoke action asks for has_view only


@admin.register(DocumentType)
class DocumentTypeAdmin(HubAdmin):
    """Added, renamed, given a provider and archived through the `document_type_*` services
    (audited); the code never changes once given, the status only by the archive action."""

    list_display = ["code", "name_th", "provider", "status"]
    list_filter = ["status"]
    fields = ["code", "name_th", "name_en", "provider", "status"]
    actions = [_service_action(services.document_type_archive, "document_type", _("Archive"))]

    def get_readonly_fields(self, request, obj=None):
        return ["status"] if obj is None else ["code", "status"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = services.document_type_create(
                code=data["code"],
                name_th=data["name_th"],
                name_en=data.get("name_en") or "",
                provider=data.get("provider"),
                by=request.user,
            )
            obj.pk = created.pk  # for the admin's message and redirect
            return
        current = DocumentType.objects.get(pk=obj.pk)
        services.document_type_rename(
            document_type=current,
            name_th=data["name_th"],
            name_en=data.get("name_en") or "",
            by=request.user,
        )
        if "provider" in form.changed_data:
            services.document_type_set_provider(
                document_type=current, provider=data.get("provider"), by=request.user
            )


@admin.register(AccessRight)
class AccessRightAdmin(HubAdmin):
    """Granted through `access_right_grant` and withdrawn through `access_right_withdraw`, as
    on the /gdx/ pages; a granted right is never edited (withdraw it and grant another)."""

    list_display = ["consumer", "document_type", "purpose", "valid_from", "valid_until", "status"]
    list_filter = ["status", "document_type"]
    fields = ["consumer", "document_type", "purpose", "legal_basis", "valid_from", "valid_until"]
    readonly_fields = ["status", "withdrawn_at", "granted_by"]
    actions = [_service_action(services.access_right_withdraw, "right", _("Withdraw"))]

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else self.get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field is read-only once granted
        right = services.access_right_grant(by=request.user, **form.cleaned_data)
        obj.pk = right.pk


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
