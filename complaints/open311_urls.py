from django.urls import path

from complaints import open311

app_name = "open311"
F = "<str:fmt>"
urlpatterns = [
    path("", open311.root, name="root"),
    path(f"discovery.{F}", open311.discovery, name="discovery"),
    path(f"services.{F}", open311.service_list, name="services"),
    path(f"services/<slug:code>.{F}", open311.service_definition, name="service"),
    path(f"requests.{F}", open311.requests_view, name="requests"),
    path(f"requests/<str:reference>.{F}", open311.request_detail, name="request"),
    path(f"tokens/<str:token>.{F}", open311.token, name="token"),
    path(f"servicerequestupdates.{F}", open311.updates, name="updates"),
]
