"""Issue 16: the survey is never a closed door without dates and a contact."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from readiness.models import SurveyRound
from readiness.selectors import survey_round_current

pytestmark = pytest.mark.django_db
URL = "/my-agency/readiness/"


def _round(opens, closes, **fields):
    return SurveyRound.objects.create(
        name_th=fields.pop("name_th", "รอบทดสอบ"), opens_on=opens, closes_on=closes, **fields
    )


def test_a_closed_survey_says_when_the_last_round_ran_and_whom_to_ask(client, officer_a, pinned_a):
    # The seed's Phase 1 round (7–31 May 2018) comes with the migrations.
    client.force_login(officer_a)
    html = re.sub(r"</?time[^>]*>", "", client.get(URL).content.decode())
    assert "เปิดตั้งแต่ 7 พฤษภาคม 2561 ถึง 31 พฤษภาคม 2561" in html
    assert "รอบล่าสุด" in html
    assert "ยังไม่ได้กำหนดรอบถัดไป" in html
    assert 'href="mailto:contact@ega.or.th"' in html
    assert "02 612 6060" in html and 'href="tel:+6626126060"' in html


def test_a_closed_survey_names_the_next_round(client, officer_a, pinned_a):
    today = timezone.localdate()
    _round(
        today + datetime.timedelta(days=10), today + datetime.timedelta(days=40), name_th="รอบ 2"
    )
    client.force_login(officer_a)
    html = client.get(URL).content.decode()
    assert "รอบถัดไป รอบ 2 เปิดวันที่" in html
    assert "ยังไม่ได้กำหนดรอบถัดไป" not in html


def test_registration_pages_give_the_ega_contact(client):
    for url in ("/accounts/register/",):
        html = client.get(url).content.decode()
        assert "contact@ega.or.th" in html, url


def test_the_demo_opens_a_current_round_once(settings):
    settings.DEBUG = True
    before = SurveyRound.objects.count()
    call_command("demo_data")
    current = survey_round_current()
    assert current is not None and current.closes_on > timezone.localdate()
    call_command("demo_data", once=True)
    assert SurveyRound.objects.count() == before + 1
