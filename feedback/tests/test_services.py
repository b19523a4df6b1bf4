from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from feedback import services
from feedback.models import PointDay, Reply, Response
from feedback.selectors import feedback_copy_request_rate, feedback_summary
from feedback.tests.factories import answer, submit


def test_an_answer_is_stored_counted_and_masked(point_a):
    response = submit(
        point_a, comment="ดีมาก โทร 081-234-5678 บัตร 1234567890123", asked_for_copy=True
    )
    response.refresh_from_db()
    assert response.status == Response.Status.ACCEPTED
    assert response.agency == point_a.agency
    assert response.comment == "ดีมาก โทร xxx-xxx-xxxx บัตร xxxxxxxxxxxxx"
    assert "0812345678" not in str(Response.objects.values_list("comment", flat=True)[0])
    day = PointDay.objects.get(point=point_a)
    assert (day.responses, day.copy_asked, day.comments, day.overall_sum, day.overall_top2) == (
        1,
        1,
        1,
        5,
        1,
    )
    assert day.day == timezone.localdate(response.created_at)


def test_no_raw_address_or_device_token_is_stored(point_a):
    response = submit(point_a, device_token="my-cookie", ip="203.0.113.7")
    stored = Response.objects.filter(pk=response.pk).values().get()
    assert "203.0.113.7" not in str(stored) and "my-cookie" not in str(stored)
    assert len(stored["network_hash"]) == 64
    assert stored["network_hash"] == services.network_hash("203.0.113.7")


def test_ipv6_addresses_in_one_64_count_as_one_network():
    assert services.network_hash("2001:db8::1") == services.network_hash("2001:db8::ffff")
    assert services.network_hash("2001:db8::1") != services.network_hash("2001:db8:0:1::1")
    assert services.network_hash("::ffff:203.0.113.7") == services.network_hash("203.0.113.7")


def test_an_unpublished_point_takes_no_answers(draft_point_a):
    with pytest.raises(ValidationError):
        submit(draft_point_a)
    assert not Response.objects.exists()


@pytest.mark.parametrize("score", [0, 6, -1])
def test_scores_outside_1_to_5_are_refused_and_nothing_is_written(point_a, score):
    with pytest.raises(ValidationError):
        submit(point_a, overall=score)
    assert not Response.objects.exists() and not PointDay.objects.exists()


def test_a_1001_character_comment_is_refused(point_a):
    with pytest.raises(ValidationError) as error:
        submit(point_a, comment="ก" * 1001)
    assert "comment" in error.value.message_dict
    assert not Response.objects.exists()


def test_a_1000_character_comment_with_windows_line_breaks_fits(point_a):
    comment = ("ก" * 99 + "\r\n") * 10  # 1,000 characters once CRLF counts as one
    response = submit(point_a, comment=comment)
    assert len(response.comment) == 999  # the final line break is trimmed


def test_html_in_a_comment_is_stored_as_text(point_a):
    response = submit(point_a, comment="<script>alert('x')</script><b>ดี</b>")
    response.refresh_from_db()
    assert response.comment == "<script>alert('x')</script><b>ดี</b>"


def test_a_filled_honeypot_is_held_not_dropped(point_a):
    response = submit(point_a, honeypot="http://spam.example")
    assert response.status == Response.Status.FLAGGED
    assert response.flag_reason == Response.FlagReason.HONEYPOT
    assert feedback_summary(point=point_a).responses == 0


def test_a_second_answer_for_the_same_point_within_the_window_is_held(point_a, point_b):
    submit(point_a, device_token="phone-1")
    again = submit(point_a, device_token="phone-1")
    elsewhere = submit(point_b, device_token="phone-1")
    other_phone = submit(point_a, device_token="phone-2")
    assert again.flag_reason == Response.FlagReason.DUPLICATE
    assert elsewhere.status == other_phone.status == Response.Status.ACCEPTED
    assert feedback_summary(point=point_a).responses == 2


def test_the_duplicate_window_ends(point_a, settings):
    settings.FEEDBACK_DUPLICATE_WINDOW_MINUTES = 30
    first = submit(point_a, device_token="phone-1")
    Response.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(minutes=31))
    assert submit(point_a, device_token="phone-1").status == Response.Status.ACCEPTED


def test_a_device_over_its_hourly_limit_is_held(agency_a, settings):
    from service_points.tests.factories import PublishedPointFactory

    settings.FEEDBACK_DEVICE_LIMIT_PER_HOUR = 3
    points = PublishedPointFactory.create_batch(5, agency=agency_a)
    results = [submit(point, device_token="busy-phone") for point in points]
    assert [r.status for r in results] == ["accepted"] * 3 + ["flagged"] * 2
    assert results[-1].flag_reason == Response.FlagReason.DEVICE_RATE


def test_a_network_over_its_limit_is_held_then_refused(point_a, settings):
    settings.FEEDBACK_NETWORK_LIMIT_PER_HOUR = 2
    settings.FEEDBACK_NETWORK_HARD_LIMIT_PER_HOUR = 4
    results = [submit(point_a, ip="198.51.100.9") for _ in range(4)]
    assert [r.status for r in results] == ["accepted", "accepted", "flagged", "flagged"]
    assert results[2].flag_reason == Response.FlagReason.NETWORK_RATE
    with pytest.raises(services.TooManyResponsesError):
        submit(point_a, ip="198.51.100.9")
    assert Response.objects.count() == 4
    assert submit(point_a, ip="198.51.100.10").status == Response.Status.ACCEPTED


def test_answers_older_than_an_hour_do_not_count_towards_the_limits(point_a, settings):
    settings.FEEDBACK_NETWORK_LIMIT_PER_HOUR = 1
    first = submit(point_a, ip="198.51.100.9")
    Response.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert submit(point_a, ip="198.51.100.9").status == Response.Status.ACCEPTED


def test_accepting_a_held_answer_counts_it(point_a, ega_admin):
    held = submit(point_a, honeypot="x", overall=2, asked_for_copy=True)
    assert feedback_copy_request_rate(point=point_a).responses == 0
    services.response_accept(response=held, by=ega_admin)
    held.refresh_from_db()
    assert held.status == Response.Status.ACCEPTED
    assert feedback_summary(point=point_a).responses == 1
    assert feedback_copy_request_rate(point=point_a).asked == 1
    assert AuditEvent.objects.filter(action="feedback.response_accepted").exists()


def test_rejecting_keeps_the_answer_and_never_counts_it(point_a, ega_admin):
    held = submit(point_a, honeypot="x")
    services.response_reject(response=held, by=ega_admin)
    assert Response.objects.get(pk=held.pk).status == Response.Status.REJECTED
    assert feedback_summary(point=point_a).responses == 0
    with pytest.raises(ValidationError):
        services.response_accept(response=held, by=ega_admin)


@pytest.mark.parametrize("who", ["admin_a", "officer_a", "overseer"])
def test_only_ega_admins_review(point_a, who, request):
    held = submit(point_a, honeypot="x")
    with pytest.raises(PermissionDenied):
        services.response_accept(response=held, by=request.getfixturevalue(who))
    assert Response.objects.get(pk=held.pk).status == Response.Status.FLAGGED


def test_the_agency_replies_by_email_through_the_queue(point_a, officer_a):
    response = submit(
        point_a, comment="รอนาน", contact_name="สมหญิง", contact_email="somying@example.com"
    )
    reply = services.reply_send(response=response, body="ขออภัย เราเพิ่มเจ้าหน้าที่แล้ว", by=officer_a)
    assert Reply.objects.get() == reply and reply.sent_to == "somying@example.com"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["somying@example.com"]
    assert "ขออภัย เราเพิ่มเจ้าหน้าที่แล้ว" in mail.outbox[0].body
    assert "สมหญิง" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="feedback.reply_sent", actor=officer_a).exists()


def test_no_reply_without_an_email_or_from_another_agency(point_a, officer_a, officer_b, overseer):
    silent = submit(point_a, comment="ดี")
    with pytest.raises(PermissionDenied):
        services.reply_send(response=silent, body="ขอบคุณ", by=officer_a)
    with_email = submit(point_a, contact_email="a@example.com")
    for user in (officer_b, overseer):
        with pytest.raises(PermissionDenied):
            services.reply_send(response=with_email, body="ขอบคุณ", by=user)
    with pytest.raises(ValidationError):
        services.reply_send(response=with_email, body="   ", by=officer_a)
    assert not Reply.objects.exists() and not mail.outbox


def test_old_hashes_are_forgotten(point_a):
    old = submit(point_a)
    new = submit(point_a)
    Response.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert services.response_forget_hashes(older_than_days=30) == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.device_hash == old.network_hash == ""
    assert new.device_hash and new.network_hash


def test_the_answer_keys_cover_every_score():
    assert set(answer()) >= {"overall", "process", "staff", "facilities", "outcome"}
