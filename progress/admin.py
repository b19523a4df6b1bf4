from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.access import is_ega_admin
from progress.models import Activity, Phase
from progress.services import activity_reschedule, phase_archive, phase_create, phase_rename


class ActivityInline(admin.TabularInline):
    """Only an activity's window changes here, through `activity_reschedule` (audited)."""

    model = Activity
    extra = 0
    fields = ["position", "name_th", "name_en", "measure", "starts_on", "ends_on"]
    readonly_fields = ["position", "name_th", "name_en", "measure"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description=_("Archive"), permissions=["change"])
def archive_phases(modeladmin, request, queryset):
    for phase in queryset:
        try:
            phase_archive(phase=phase, by=request.user)
        except ValidationError as error:
            modeladmin.message_user(request, f"{phase}: {' '.join(error.messages)}", messages.ERROR)


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    """Added, renamed and archived through the `phase_*` services (audited); the status only
    moves by the archive action, the number never changes once given."""

    list_display = ["number", "name_th", "status"]
    inlines = [ActivityInline]
    actions = [archive_phases]

    def has_delete_permission(self, request, obj=None):
        return False  # archive instead

    def has_add_permission(self, request):
        return is_ega_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_ega_admin(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["status"] if obj is None else ["number", "status"]

    def save_model(self, request, obj, form, change):
        names = {"name_th": form.cleaned_data["name_th"], "name_en": form.cleaned_data["name_en"]}
        if change:
            phase_rename(phase=obj, by=request.user, **names)
            return
        created = phase_create(by=request.user, number=form.cleaned_data["number"], **names)
        obj.pk = created.pk  # for the admin's message and redirect

    def save_formset(self, request, form, formset, change):
        # What formset.save() would leave for the admin's change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if inline_form.instance.pk is None or not inline_form.has_changed():
                continue
            activity = activity_reschedule(
                activity=inline_form.instance,
                by=request.user,
                starts_on=inline_form.cleaned_data["starts_on"],
                ends_on=inline_form.cleaned_data["ends_on"],
            )
            formset.changed_objects.append((activity, inline_form.changed_data))
