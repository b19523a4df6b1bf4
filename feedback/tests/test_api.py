from feedback.tests.factories import submit


def test_public_summary_waits_for_the_minimum(client, point_a, settings):
    settings.FEEDBACK_PUBLIC_MIN_RESPONSES = 2
    submit(point_a, overall=5, asked_for_copy=True)
    body = client.get(f"/api/feedback/points/{point_a.pk}/summary").json()
    assert body == {
        "point": point_a.pk,
        "published": False,
        "minimum_responses": 2,
        "responses": None,
        "satisfaction_top_two_share": None,
        "copy_request_rate": None,
        "areas": [],
    }
    submit(point_a, overall=2)
    body = client.get(f"/api/feedback/points/{point_a.pk}/summary").json()
    assert body["published"] is True and body["responses"] == 2
    assert body["satisfaction_top_two_share"] == 0.5
    assert body["copy_request_rate"] == 0.5
    assert body["areas"][0] == {"key": "overall", "average": 3.5, "top_two_share": 0.5}


def test_no_summary_for_unknown_or_draft_points(client, draft_point_a):
    assert client.get("/api/feedback/points/999999/summary").status_code == 404
    assert client.get(f"/api/feedback/points/{draft_point_a.pk}/summary").status_code == 404
