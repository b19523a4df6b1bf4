from django.contrib import admin

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


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ["name_th", "agency", "province_code", "status", "updated_at"]
    list_filter = ["status", "government"]
    search_fields = ["name_th", "name_en", "search_text", "agency__name_th", "agency__code"]
    raw_id_fields = ["agency", "pinned_by"]
    readonly_fields = ["search_text", "created_at", "published_at", "archived_at"]
    inlines = [PhotoInline]

    def has_delete_permission(self, request, obj=None):
        return False  # archive instead


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
