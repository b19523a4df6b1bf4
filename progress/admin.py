from django.contrib import admin

from progress.models import Activity, Phase


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["number", "name_th", "status"]
    inlines = [ActivityInline]
