from django.urls import path

from manual import views

app_name = "manual"
urlpatterns = [
    path("manual/", views.search, name="search"),
    path("manual/<id:pk>/", views.detail, name="detail"),
    path("manual/<id:pk>/forms/<id:form_pk>/", views.sample_form, name="sample_form"),
    path("manual/manage/", views.workspace, name="workspace"),
    path("manual/manage/new/", views.create, name="create"),
    path("manual/manage/import/", views.import_services, name="import"),
    path("manual/manage/<id:pk>/", views.edit, name="edit"),
    path("manual/manage/<id:pk>/preview/", views.preview, name="preview"),
    path("manual/manage/<id:pk>/forms/", views.sample_forms, name="sample_forms"),
    path("manual/manage/<id:pk>/points/", views.offered_at, name="offered_at"),
    path(
        "manual/manage/<id:pk>/forms/<id:form_pk>/remove/",
        views.sample_form_remove,
        name="sample_form_remove",
    ),
    path("manual/manage/<id:pk>/publish/", views.publish, name="publish"),
    path("manual/manage/<id:pk>/archive/", views.archive, name="archive"),
    path("manual/manage/<id:pk>/reopen/", views.reopen, name="reopen"),
]
