from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from service_points import services
from service_points.models import ApiKey, ServicePoint, ServicePointChange, ServicePointPhoto


class PhotoInline(admin.TabularInline):
    model = ServicePointPhoto
    extra = 0
    fields = ["kind", "image", "status", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # uploads go through the pin page, which cleans them

    def has_delete_permission(self, request, obj=None):
        return False


def _transition_action(service, description):
    """An admin action that moves each selected point through `service` (history and audit)."""

    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        done = 0
        for point in queryset:
            try:
                service(point=point, by=request.user)
            except ValidationError as error:
                modeladmin.message_user(
                    request, f"{point}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                done += 1
        if done:
            modeladmin.message_user(request, _("%(n)s point(s) changed.") % {"n": done})

    action.__name__ = service.__name__
    return action


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    """Corrections by EGA administrators: the same services as the pin page, so every change
    is in the point's history and the audit log and the map is refreshed."""

    list_display = ["name_th", "agency", "province_code", "status", "updated_at"]
    list_filter = ["status", "government"]
    search_fields = ["name_th", "name_en", "search_text", "agency__name_th", "agency__code"]
    fields = ["agency", "status", *services.EDITABLE_FIELDS]
    readonly_fields = [
        "agency",
        "status",
        "pinned_by",
        "pinned_at",
        "search_text",
        "created_at",
        "updated_at",
        "published_at",
        "archived_at",
    ]
    inlines = [PhotoInline]
    actions = [
        _transition_action(services.service_point_publish, _("Publish")),
        _transition_action(services.service_point_archive, _("Archive")),
        _transition_action(services.service_point_restore, _("Restore as a draft")),
    ]

    def has_add_permission(self, request):
        return False  # pinned by the agency on the pin page, the API or the import

    def has_delete_permission(self, request, obj=None):
        return False  # archive instead

    def save_model(self, request, obj, form, change):
        services.service_point_update(
            point=obj,
            by=request.user,
            fields={name: form.cleaned_data[name] for name in form.changed_data},
        )


@admin.register(ServicePointChange)
class ServicePointChangeAdmin(admin.ModelAdmin):
    list_display = ["changed_at", "point", "kind", "source", "changed_by_label"]
    list_filter = ["kind", "source"]
    raw_id_fields = ["point", "changed_by"]

    def has_change_permission(self, request, obj=None):
        return False  # history is append-only

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "agency", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_by", "created_at", "last_used_at"]
    raw_id_fields = ["agency"]

    def has_add_permission(self, request):
        return False  # created by agency admins, who see the secret once

    def has_delete_permission(self, request, obj=None):
        return False
