from django.urls import path

from exchange import views

app_name = "exchange"
urlpatterns = [
    # Node API (signed envelopes; no cookies)
    path("gdx/exchange", views.gdx_exchange, name="exchange"),
    path("gdx/directory", views.gdx_directory, name="directory"),
    path(
        "gdx/directory/cosignature",
        views.gdx_directory_cosignature,
        name="directory_cosignature",
    ),
    path("gdx/log/sth", views.log_sth, name="sth"),
    path("gdx/log/inclusion", views.log_inclusion, name="inclusion"),
    path("gdx/log/consistency", views.log_consistency, name="consistency"),
    # Portal pages
    path("gdx/", views.overview, name="overview"),
    path("gdx/members/new/", views.member_add, name="member_add"),
    path("gdx/members/<slug:code>/", views.member_detail, name="member"),
    path("gdx/demo/", views.demo_exchange, name="demo"),
]
