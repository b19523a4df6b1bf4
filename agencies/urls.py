from django.urls import path

from agencies import views

app_name = "agencies"
urlpatterns = [
    path("agencies/", views.directory, name="directory"),
    path("agencies/missing/", views.request_missing, name="request"),
    path("agencies/missing/review/", views.reports, name="reports"),
    path("agencies/missing/review/<id:pk>/", views.report_review, name="report_review"),
    path("agencies/<slug:code>/", views.detail, name="detail"),
    path("agencies/<slug:code>/people/", views.people, name="people"),
    path("my-agency/", views.home, name="home"),
]
