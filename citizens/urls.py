from django.urls import path

from citizens import views

app_name = "citizens"

urlpatterns = [
    path("me/", views.home, name="home"),
    path("me/sign-in/", views.sign_in, name="sign_in"),
    path("me/sign-in/callback/", views.callback, name="callback"),
    path("me/sign-out/", views.sign_out, name="sign_out"),
    path("me/readings/", views.readings, name="readings"),
    path("me/readings/<index:index>/proof.json", views.proof, name="proof"),
    path("me/readings/proof-bundle.json", views.proof_bundle, name="proof_bundle"),
    path("me/records/", views.records, name="records"),
    path("me/contacts/", views.contacts, name="contacts"),
    path("me/contacts/<id:pk>/confirm/", views.contact_confirm, name="contact_confirm"),
    path("me/contacts/<id:pk>/remove/", views.contact_remove, name="contact_remove"),
    path("me/notifications/", views.notifications, name="notifications"),
    path("me/export.json", views.export_json, name="export_json"),
    path("me/export.pdf", views.export_pdf, name="export_pdf"),
    path("me/erase/", views.erase, name="erase"),
    path("me/line/link/", views.line_link, name="line_link"),
    path("me/line/unlink/", views.line_unlink, name="line_unlink"),
    path("privacy/", views.privacy, name="privacy"),
]
