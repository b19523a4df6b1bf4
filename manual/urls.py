from django.urls import path

from manual import views

app_name = "manual"
urlpatterns = [
    path("manual/", views.search, name="search"),
    path("manual/<int:pk>/", views.detail, name="detail"),
    path("manual/<int:pk>/forms/<int:form_pk>/", views.sample_form, name="sample_form"),
    path("manual/manage/", views.workspace, name="workspace"),
    path("manual/manage/new/", views.create, name="create"),
    path("manual/manage/import/", views.import_services, name="import"),
    path("manual/manage/<int:pk>/", views.edit, name="edit"),
    path("manual/manage/<int:pk>/preview/", views.preview, name="preview"),
    path("manual/manage/<int:pk>/forms/", views.sample_forms, name="sample_forms"),
    path("manual/manage/<int:pk>/points/", views.offered_at, name="offered_at"),
    path(
        "manual/manage/<int:pk>/forms/<int:form_pk>/remove/",
        views.sample_form_remove,
        name="sample_form_remove",
    ),
    path("manual/manage/<int:pk>/publish/", views.publish, name="publish"),
    path("manual/manage/<int:pk>/archive/", views.archive, name="archive"),
    path("manual/manage/<int:pk>/reopen/", views.reopen, name="reopen"),
]
