"""A Manual service's one write path: the form and the importer both go through `service_save`
and leave the same working copy and audit trail. (The API only reads; there is no admin.)"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from manual.models import Service
from manual.services import service_import
from manual.tests.test_views import _post_data

pytestmark = pytest.mark.django_db

CSV = """service_code,record,name_th,category,no_fee,description,duration_value,duration_unit,responsible_unit,name,form,count,kind,place,province
house-move,service,การแจ้งย้ายเข้า,civil_registration,yes,,,,,,,,,,
house-move,step,,,,ตรวจสอบ,5,minutes,งานทะเบียน,,,,,,
house-move,step,,,,ยื่นคำร้อง,10,minutes,งานทะเบียน,,,,,,
house-move,document,,,,,,,,บัตรประจำตัวประชาชน,original,1,,,
house-move,channel,,,,,,,,,,,office,สำนักทะเบียนอำเภอ,50
"""


def _state(service):
    service.refresh_from_db()
    return {
        "status": service.status,
        "unpublished": service.has_unpublished_changes,
        "updated_by": service.updated_by_id,
        "steps": [s.description for s in service.steps.all()],
        "documents": [d.name for d in service.documents.all()],
        "channels": [c.place for c in service.channels.all()],
        "trail": [
            (e.action, e.actor_id, e.agency_id)
            for e in AuditEvent.objects.filter(
                target_type="manual.service", target_id=str(service.pk)
            ).order_by("pk")
        ],
    }


def test_the_form_and_the_importer_leave_the_same_record_and_trail(client, agency_a, officer_a):
    client.force_login(officer_a)
    assert client.post(reverse("manual:create"), _post_data()).status_code == 302
    by_form = Service.objects.get(code="house-move")
    form_state = _state(by_form)
    Service.objects.filter(pk=by_form.pk).update(code="house-move-form")

    result = service_import(by=officer_a, agency=agency_a, text=CSV, fmt="csv")
    assert result.ok and result.created == 1, result.errors
    by_import = Service.objects.get(code="house-move")
    assert _state(by_import) == form_state
    assert form_state["trail"] == [("manual.service.created", officer_a.pk, agency_a.pk)]

    # An import over the same code updates it, audited as the form's edit is.
    assert service_import(by=officer_a, agency=agency_a, text=CSV, fmt="csv").updated == 1
    assert [a for a, *_rest in _state(by_import)["trail"]] == [
        "manual.service.created",
        "manual.service.updated",
    ]
    assert AuditEvent.objects.filter(action="manual.service.imported").count() == 2
