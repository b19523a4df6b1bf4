from django.urls import path

from complaints import views

app_name = "complaints"
REF = "<str:reference>"
urlpatterns = [
    path("complaints/", views.public_list, name="list"),
    path("complaints/new/", views.new, name="new"),
    path("complaints/map.geojson", views.public_map_data, name="map_data"),
    path("complaints/follow/<str:token>/", views.follow, name="follow"),
    path("complaints/follow/<str:token>/confirm/", views.follow_confirm, name="follow_confirm"),
    path("complaints/follow/<str:token>/reopen/", views.follow_reopen, name="follow_reopen"),
    path("complaints/follow/<str:token>/answer/", views.follow_answer, name="follow_answer"),
    path("complaints/agencies/<slug:code>/", views.agency_figures, name="agency_figures"),
    path("opendata/complaints/", views.opendata_page, name="opendata"),
    path("opendata/complaints/<str:month>.<str:ext>", views.opendata_file, name="opendata_file"),
    path("my-agency/complaints/", views.queue, name="queue"),
    path("my-agency/complaints/templates/", views.response_templates, name="templates"),
    path("my-agency/complaints/partner-keys/", views.partner_keys, name="partner_keys"),
    path(f"complaints/{REF}/", views.detail, name="detail"),
    path(f"complaints/{REF}/support/", views.support, name="support"),
    path(f"complaints/{REF}/manage/", views.manage, name="manage"),
    path(f"complaints/{REF}/manage/state/", views.manage_state, name="manage_state"),
    path(f"complaints/{REF}/manage/note/", views.manage_note, name="manage_note"),
    path(f"complaints/{REF}/manage/hand-over/", views.manage_hand_over, name="manage_hand_over"),
    path(f"complaints/{REF}/manage/moderate/", views.manage_moderate, name="manage_moderate"),
    path(f"complaints/{REF}/manage/release/", views.manage_release, name="manage_release"),
]
