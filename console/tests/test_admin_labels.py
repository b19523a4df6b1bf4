"""Django's admin names the portal's models and apps in Thai on Thai pages."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.utils import translation

# Acronyms a Thai page writes in Latin letters anyway.
ACRONYMS = {"API", "GDX", "GFMIS", "ID", "IP", "LINE", "MOU"}
# The seed's own Thai survey writes question 7 with this English name.
SEED_WORDING = ("Smart Card Reader",)


def _latin_words(text: str) -> list[str]:
    for phrase in SEED_WORDING:
        text = text.replace(phrase, "")
    return [w for w in re.findall(r"[A-Za-z]+", text) if w not in ACRONYMS]


def _ours(model) -> bool:
    """The portal's own models (Django's and third-party apps keep their own catalogues)."""
    return not model.__module__.startswith(("django.", "django_tasks"))


def test_every_model_and_app_in_the_admin_has_a_thai_name():
    english = []
    with translation.override("th"):
        for model in admin.site._registry:
            meta = model._meta
            if meta.app_label == "auth":
                continue  # Django's own Thai
            app = apps.get_app_config(meta.app_label).verbose_name
            for text in (meta.verbose_name, meta.verbose_name_plural, app):
                if _latin_words(str(text)):
                    english.append(f"{meta.label}: {text}")
    assert english == []


def test_every_field_of_the_portals_models_in_the_admin_has_a_thai_name():
    english = []
    with translation.override("th"):
        for model in admin.site._registry:
            if not _ours(model):
                continue
            for field in model._meta.get_fields():
                if field.auto_created and not field.concrete:
                    continue  # reverse relations are named by the other side
                text = str(getattr(field, "verbose_name", ""))
                if _latin_words(text):
                    english.append(f"{model._meta.label}.{field.name}: {text}")
    assert english == []


def test_the_labels_the_console_issue_named_are_thai():
    from accounts.models import Registration
    from agencies.models import AgencyRequest
    from exchange.models import MemberKey
    from feedback.models import Response
    from service_points.models import ServicePointChange

    with translation.override("th"):
        labels = [
            str(Registration._meta.get_field("decided_by").verbose_name),
            str(AgencyRequest._meta.get_field("reviewed_by").verbose_name),
            str(Response._meta.get_field("reviewed_by").verbose_name),
            str(ServicePointChange._meta.get_field("changed_at").verbose_name),
            str(ServicePointChange._meta.verbose_name_plural),
            str(MemberKey._meta.get_field("algorithm").verbose_name),
        ]
    assert labels == [
        "ผู้พิจารณา",
        "ผู้พิจารณา",
        "ผู้พิจารณา",
        "วันที่แก้ไข",
        "ประวัติการเปลี่ยนแปลงจุดให้บริการ",
        "อัลกอริทึมของกุญแจ",
    ]


@pytest.mark.django_db
def test_the_admin_index_shows_the_background_tasks_in_thai(client):
    from accounts.models import User

    superuser = User.objects.create_superuser(email="root@ega.or.th", password="x" * 20)
    client.force_login(superuser)
    page = client.get("/admin/").content.decode()
    assert "Tasks Database Backend" not in page and "Task Results" not in page
    assert "งานเบื้องหลัง" in page and "ผลของงานเบื้องหลัง" in page


def test_a_survey_reminders_columns_are_thai():
    from readiness.models import SurveyReminder

    with translation.override("th"):
        names = [str(SurveyReminder._meta.get_field(n).verbose_name) for n in ("round", "user")]
    assert names == ["รอบการสำรวจ", "สมาชิกที่ได้รับการแจ้งเตือน"]
