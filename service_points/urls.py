from django.urls import path

from service_points import views

app_name = "service_points"
urlpatterns = [
    path("service-points/", views.map_page, name="map"),
    path("service-points/clusters.json", views.clusters, name="clusters"),
    path("service-points/thailand.geojson", views.boundary, name="boundary"),
    path("service-points/near/", views.near, name="near"),
    path("service-points/divisions/", views.division_options, name="division_options"),
    path("service-points/<id:pk>/", views.detail, name="detail"),
    path("my-agency/service-points/", views.mine, name="mine"),
    path("my-agency/service-points/new/", views.create, name="create"),
    path("my-agency/service-points/import/", views.bulk_import, name="import"),
    path("my-agency/service-points/api-keys/", views.api_keys, name="api_keys"),
    path("my-agency/service-points/<id:pk>/", views.edit, name="edit"),
    path("my-agency/service-points/<id:pk>/photos/", views.photo_add, name="photo_add"),
    path(
        "my-agency/service-points/<id:pk>/photos/<id:photo_pk>/remove/",
        views.photo_remove,
        name="photo_remove",
    ),
    path(
        "my-agency/service-points/<id:pk>/move-to-photo/",
        views.move_to_photo,
        name="move_to_photo",
    ),
    path("my-agency/service-points/<id:pk>/<str:action>/", views.transition, name="transition"),
    path("opendata/", views.opendata_page, name="opendata"),
    path("opendata/service-points.csv", views.opendata_csv, name="opendata_csv"),
    path("opendata/service-points.geojson", views.opendata_geojson, name="opendata_geojson"),
    path("opendata/service-points.xlsx", views.opendata_xlsx, name="opendata_xlsx"),
    path("opendata/catalog.jsonld", views.opendata_catalog, name="opendata_catalog"),
]
