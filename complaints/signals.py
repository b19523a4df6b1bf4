"""What other channels of the reporter's notification listen to (the LINE channel pushes
each change of state to the chat the complaint was filed from)."""

from django.dispatch import Signal

# sender=Complaint; complaint=, old=, new=, note= — sent inside the writing transaction.
state_changed = Signal()
