from django_tasks import task

from progress.services import process_tally_refresh


@task()
def refresh_all_tallies() -> int:
    """A safety net (nightly, or after a bulk load that bypassed model signals)."""
    return process_tally_refresh(agency_ids=None)
