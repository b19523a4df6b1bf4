"""LINE push is one more channel of a complaint's state-change notification."""

from complaints.models import Complaint
from complaints.signals import state_changed
from line_channel import services


def _on_state_changed(sender, *, complaint, old, new, note, **kwargs) -> None:
    services.notice_add(complaint=complaint, state=new, note=note)


def connect() -> None:
    state_changed.connect(_on_state_changed, sender=Complaint, dispatch_uid="line_channel")
