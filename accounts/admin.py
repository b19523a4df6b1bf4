from contextvars import ContextVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Registration, User
from accounts.services import (
    USER_ADMIN_FIELDS,
    two_factor_reset,
    user_password_set,
    user_update,
)

# django-otp's own device pages would show each authenticator's secret key and let devices be
# deleted unaudited: two-factor is changed only through the services (ADR 0131).
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


# The request of the admin's password page, for the form's save: Django's view builds the form
# without it, and one ModelAdmin serves every thread, so it cannot live on the admin.
_PASSWORD_REQUEST: ContextVar[HttpRequest | None] = ContextVar("password_request", default=None)


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    """Django's admin password form, saved through `user_password_set` (audited)."""

    def save(self, commit: bool = True) -> User:
        request = _PASSWORD_REQUEST.get()
        if request is None:
            raise RuntimeError("the admin's password page only")
        usable = self.cleaned_data.get("set_usable_password", True)
        # The view keeps the admin signed in from `form.user`: it must hold the new hash.
        self.user = user_password_set(
            user=self.user,
            password=self.cleaned_data["password1"] if usable else None,
            by=request.user,
            request=request,
        )
        return self.user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = AuditedPasswordChangeForm

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
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor sign-in (lost phone and recovery codes)"))
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            two_factor_reset(user=user, by=request.user, request=request)
        self.message_user(request, _("They set up an authenticator again at their next sign-in."))

    def user_change_password(self, request, id, form_url=""):
        token = _PASSWORD_REQUEST.set(request)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _PASSWORD_REQUEST.reset(token)

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
