import pytest
from django.db import DatabaseError


def test_home_is_thai_by_default_with_one_h1_and_skip_link(client, db):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="th">' in html
    assert html.count("<h1") == 1
    assert 'class="skip-link" href="#main"' in html


PUBLIC = {"REMOTE_ADDR": "203.0.113.20"}


def test_healthz_reports_database_ok(client, db):
    response = client.get("/healthz", **PUBLIC)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_fails(client, db, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise DatabaseError("down")

    monkeypatch.setattr("core.views.connection", BrokenConnection())
    response = client.get("/healthz", **PUBLIC)
    assert response.status_code == 503
    assert response.json()["status"] == "error"


@pytest.mark.parametrize("path", ["/api/openapi.json", "/api/docs"])
def test_api_documents_are_published(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    if path.endswith(".json"):
        assert response.json()["openapi"].startswith("3.")
    else:
        assert "cdn" not in response.content.decode().lower()


def test_thai_even_when_the_browser_prefers_english(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="th">' in response.content.decode()


def test_the_english_switch_is_remembered(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "th", "next": "/"})
    assert '<html lang="th">' in client.get("/").content.decode()
