from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Registration, User
from accounts.services import USER_ADMIN_FIELDS, user_update


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["email", "first_name", "last_name", "agency", "role", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "first_name", "last_name", "agency__name_th", "agency__code"]
    autocomplete_fields = ["agency"]
    fieldsets = (
        (None, {"fields": ("username", "email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "phone")}),
        (
            _("Agency and role"),
            {"fields": ("agency", "role", "is_active", "is_staff", "is_superuser")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )

    readonly_fields = ["last_login", "date_joined"]

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted: the audit log points at them

    def has_add_permission(self, request):
        return False  # accounts come from registration (or `createsuperuser`), with its checks

    def save_model(self, request, obj, form, change):
        # Changes go through `user_update` (audited); `obj` already holds the form's values.
        changes = {
            name: form.cleaned_data[name] for name in form.changed_data if name in USER_ADMIN_FIELDS
        }
        user_update(user=obj, by=request.user, changes=changes)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "agency", "first_name", "last_name", "email", "status"]
    list_filter = ["status"]
    search_fields = ["email", "first_name", "last_name", "agency__name_th"]
    readonly_fields = [f.name for f in Registration._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
