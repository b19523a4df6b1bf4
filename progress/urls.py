from django.urls import path

from progress import views

app_name = "progress"
urlpatterns = [
    path("progress/", views.public, name="public"),
    path("progress/dashboard/", views.dashboard, name="dashboard"),
    path("progress/dashboard/report.<str:kind>", views.export_national, name="export"),
    path("progress/provinces/", views.provinces, name="provinces"),
    path("progress/provinces/<str:code>/", views.province, name="province"),
    path("progress/groups/<slug:code>/", views.group, name="group"),
    path("progress/agencies/<slug:code>/", views.agency_page, name="agency"),
    path(
        "progress/agencies/<slug:code>/report.<str:kind>",
        views.export_agency,
        name="agency_export",
    ),
    path("my-agency/progress/", views.mine, name="mine"),
]
