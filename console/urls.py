from django.urls import path

from console import views

app_name = "console"
urlpatterns = [
    path("console/", views.home, name="home"),
    path("console/rounds/", views.rounds, name="rounds"),
    path("console/rounds/new/", views.round_create, name="round_create"),
    path("console/rounds/<id:pk>/", views.round_detail, name="round"),
    path("console/rounds/<id:pk>/reminders/", views.reminders, name="reminders"),
    path("console/agencies/", views.agencies, name="agencies"),
    path("console/agencies/<slug:code>/", views.agency, name="agency"),
    path("console/options/", views.options, name="options"),
    path("console/options/<id:pk>/", views.options, name="option"),
    path("console/audit/", views.audit, name="audit"),
    path("console/follow-up/", views.followup, name="followup"),
    path("console/follow-up/export.<str:kind>", views.followup, name="followup_export"),
    path("console/follow-up/remind/", views.followup_remind, name="followup_remind"),
    path("console/dates/", views.dates, name="dates"),
    path("console/phases/", views.phases, name="phases"),
    path("console/phases/activities/<id:pk>/", views.phases, name="activity"),
]
