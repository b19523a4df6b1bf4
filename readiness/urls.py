from django.urls import path

from readiness import views

app_name = "readiness"
urlpatterns = [
    path("readiness/", views.index, name="index"),
    path("my-agency/readiness/", views.survey, name="survey"),
    path("my-agency/readiness/start/", views.start, name="start"),
    path("readiness/responses/<id:pk>/", views.response_detail, name="response"),
    path("readiness/overview/", views.overview, name="overview"),
    path("readiness/export/<str:kind>", views.export, name="export"),
]
