from django.urls import path

from line_channel import views

app_name = "line_channel"

urlpatterns = [
    path("line/webhook", views.webhook, name="webhook"),
]
