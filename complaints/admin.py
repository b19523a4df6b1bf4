"""EGA edits the categories (deadlines, default agencies), the routing table and extra holidays
here. Complaints themselves change only through the pages that call the services."""

from django.contrib import admin

from complaints.models import Category, Holiday, Route


class RouteInline(admin.TabularInline):
    model = Route
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "deadline_working_days", "default_agency", "is_active"]
    autocomplete_fields = ["default_agency"]
    inlines = [RouteInline]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name"]
