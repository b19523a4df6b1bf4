from django.urls import path

from citizens import demo_views

app_name = "demo_thaid"

urlpatterns = [
    path(".well-known/openid-configuration", demo_views.discovery, name="discovery"),
    path("jwks.json", demo_views.jwks, name="jwks"),
    path("authorize", demo_views.authorize, name="authorize"),
    path("token", demo_views.token, name="token"),
]
