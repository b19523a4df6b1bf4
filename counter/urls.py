from django.urls import path

from counter import views

app_name = "counter"

urlpatterns = [
    path("my-agency/counter/", views.counter_page, name="counter"),
    path("my-agency/counter/gdx/", views.gdx_lookup, name="gdx"),
    path("my-agency/counter/records/", views.record_list, name="records"),
    path("my-agency/counter/records/export.csv", views.record_export, name="export"),
    path("my-agency/counter/paths/", views.path_settings, name="paths"),
    path("my-agency/counter/report/", views.report_mine, name="report"),
    path("counter/records/<uuid:reference>/", views.record_detail, name="record"),
    path("counter/records/<uuid:reference>/check/", views.record_check, name="check"),
    path("counter/report/", views.report_national, name="national"),
]
