from django.contrib import admin

from agencies.models import Agency, AgencyRequest


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "kind", "parent", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["code", "name_th", "name_en", "abbreviation", "search_text"]
    autocomplete_fields = ["parent"]

    # Added, renamed, moved and archived in the programme console (/console/agencies/),
    # through the audited services; here the directory is only read.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # archive instead


@admin.register(AgencyRequest)
class AgencyRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "name_th", "requester_name", "status"]
    list_filter = ["status"]
    readonly_fields = ["reviewed_by", "reviewed_at", "created_agency"]

    # Submitted on the public form and approved or rejected in the console, through the
    # audited services (`agency_request_*`); here requests are only read.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
