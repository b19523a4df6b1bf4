from django_tasks import task

from line_channel import flows, notify


@task()
def events_handle(*, event_ids: list[str]) -> int:
    """The webhook's events, each handled once (flows.events_handle)."""
    return flows.events_handle(event_ids)


@task()
def notices_push(*, user_hash: str) -> int:
    """Every waiting state change of one person, in one push (notify.notices_push)."""
    return notify.notices_push(user_hash=user_hash)
