from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.dates import date_formfield_overrides
from readiness import services
from readiness.models import (
    LimitationOption,
    SurveyProcessRow,
    SurveyReminder,
    SurveyResponse,
    SurveyRound,
)


@admin.register(SurveyRound)
class SurveyRoundAdmin(admin.ModelAdmin):
    list_display = ["name_th", "opens_on", "closes_on", "status"]
    list_filter = ["status"]
    # Reminders are sent from the programme console, after a preview of who gets one and
    # who cannot be reached (/console/rounds/<id>/reminders/), never blind from here.
    actions = ["archive_rounds"]
    formfield_overrides = date_formfield_overrides()
    # Question 8's options of a round change in the console, through the audited service
    # that keeps every option an answer chose; a round added here takes the latest round's.
    exclude = ["limitation_options"]
    readonly_fields = ["offered_options"]

    @admin.display(description=_("question 8's options"))
    def offered_options(self, obj):
        return ", ".join(o.letter for o in obj.limitation_options.all()) if obj.pk else "—"

    def save_model(self, request, obj, form, change):
        services.survey_round_save(round=obj, by=request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # archive instead

    @admin.action(description=_("Archive the selected rounds"))
    def archive_rounds(self, request, queryset):

        for round in queryset:
            try:
                services.survey_round_archive(round=round, by=request.user)
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)


@admin.register(LimitationOption)
class LimitationOptionAdmin(admin.ModelAdmin):
    """Read-only: the programme console (/console/options/) edits them through the audited
    service."""

    list_display = ["letter", "text_th", "text_en", "position", "is_active"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # untick "available for rounds" instead


class ProcessRowInline(admin.TabularInline):
    model = SurveyProcessRow
    fields = ["position", "service_name", "needs_id_card_copy", "needs_house_registration_copy"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    """Read-only: answers are the agency's own words."""

    list_display = ["agency", "round", "version", "status", "submitted_at"]
    list_filter = ["status", "round"]
    search_fields = ["agency__name_th", "agency__code"]
    inlines = [ProcessRowInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SurveyReminder)
class SurveyReminderAdmin(admin.ModelAdmin):
    """Who was reminded when: read-only, written by `readiness_send_reminders`."""

    list_display = ["round", "user", "sent_at"]
    list_filter = ["round"]
    date_hierarchy = "sent_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
