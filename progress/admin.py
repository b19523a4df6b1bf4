from django.contrib import admin

from progress.models import Activity, Phase
from progress.services import activity_reschedule


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


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["number", "name_th", "status"]
    inlines = [ActivityInline]

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
