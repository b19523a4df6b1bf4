"""Who may fetch a sample form's file: anyone while the published version lists it (as the
manual:sample_form page), the owning agency and the overseers always (core.media)."""

from manual import access
from manual.models import SampleForm


def sample_form_rule(request, name: str) -> bool:

    form = SampleForm.objects.select_related("service__current_version").filter(file=name).first()
    if form is None:
        return False
    if access.can_preview_service(request.user, form.service):
        return True
    version = form.service.current_version
    if form.service.status != form.service.Status.PUBLISHED or version is None:
        return False
    return form.pk in {f["id"] for f in version.snapshot.get("sample_forms", [])}
