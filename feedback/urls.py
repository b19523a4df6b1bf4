from django.urls import path

from feedback import views

app_name = "feedback"
urlpatterns = [
    # What the poster's QR code encodes: short, stable for the life of the point.
    path("f/<id:point_pk>/", views.give, name="give"),
    path("f/<id:point_pk>/thanks/", views.thanks, name="thanks"),
    # What the app shows for an answer given offline (kept by the service worker, ADR 0091).
    path("f/waiting/", views.waiting, name="waiting"),
    path("my-agency/feedback/", views.home, name="home"),
    path("feedback/national/", views.national, name="national"),
    path("feedback/agencies/<slug:code>/", views.agency, name="agency"),
    path("feedback/agencies/<slug:code>/responses.csv", views.export_csv, name="export_csv"),
    path("feedback/agencies/<slug:code>/responses.xlsx", views.export_xlsx, name="export_xlsx"),
    path("feedback/points/<id:pk>/", views.point, name="point"),
    path("feedback/points/<id:pk>/poster.pdf", views.poster, name="poster"),
    path("feedback/responses/<id:pk>/reply/", views.reply, name="reply"),
    path("feedback/review/", views.review, name="review"),
    path("feedback/review/bulk/", views.review_bulk, name="review_bulk"),
    path("feedback/review/undo/", views.review_undo, name="review_undo"),
    path("feedback/review/<id:pk>/<str:action>/", views.review_decide, name="review_decide"),
]
