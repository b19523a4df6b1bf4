"""A survey response's one write path: the survey page's services. The admin only reads it
and the API only reads it, so there is no side door to test against the form."""

import pytest
from django.urls import reverse

from readiness.models import SurveyResponse
from readiness.tests.test_services import _open

pytestmark = pytest.mark.django_db


def test_the_admin_shows_a_response_but_cannot_add_change_or_delete_it(
    client, pinned_a, officer_a, open_round
):
    from accounts.tests.factories import EgaAdminFactory

    draft = _open(pinned_a, officer_a)
    client.force_login(EgaAdminFactory(is_superuser=True))
    change = reverse("admin:readiness_surveyresponse_change", args=[draft.pk])
    assert client.get(change).status_code == 200  # read-only view
    response = client.post(change, {"status": SurveyResponse.Status.SUBMITTED})
    assert response.status_code == 403
    assert client.get(reverse("admin:readiness_surveyresponse_add")).status_code == 403
    delete = reverse("admin:readiness_surveyresponse_delete", args=[draft.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == SurveyResponse.Status.DRAFT


def test_the_readiness_api_offers_no_write():
    from citizeninfo.api import api

    schema = api.get_openapi_schema()
    readiness = {path: ops for path, ops in schema["paths"].items() if "/readiness/" in path}
    assert readiness
    assert {method for ops in readiness.values() for method in ops} == {"get"}
