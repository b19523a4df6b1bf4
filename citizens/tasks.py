"""Background work of the citizen's space (django-tasks, database backend)."""

from django_tasks import task

from citizens import selectors, services


@task()
def notify_new_readings() -> int:
    """One mail per consenting citizen with readings newer than the last mail."""
    return sum(services.readings_notify(citizen=c) for c in selectors.citizens_to_notify())
