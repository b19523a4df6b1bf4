"""One way to declare a status workflow (ADR 0008).

A model's transition is a method decorated with `@transition(source=..., target=...)`. The
decorator refuses the move from any other state with a `ValidationError` (code
`illegal_transition`) before the method runs; the method body then makes its own checks and
sets the fields that go with the move (who, when), and the decorator sets the new state last,
so a refusal anywhere leaves the record as it was. The service that calls the method saves,
audits and keeps history; `transitions(Model)` lists the declared moves for the tests.
"""

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REFUSAL = _("A record that is “%(status)s” cannot change this way.")


@dataclass(frozen=True)
class Transition:
    name: str
    field: str
    source: frozenset[str]
    target: str


def transition(
    *, source: str | Iterable[str], target: str, refused: Any = None, field: str = "status"
) -> Callable:
    """`refused` is the message for a move from another state; "%(status)s" in it is filled
    with the current state's label."""
    sources = frozenset([source] if isinstance(source, str) else source)

    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def move(self, *args, **kwargs):
            if getattr(self, field) not in sources:
                message = str(refused or DEFAULT_REFUSAL)
                if "%(status)s" in message:
                    label = getattr(self, f"get_{field}_display", lambda: getattr(self, field))()
                    message = message % {"status": label}
                raise ValidationError(message, code="illegal_transition")
            result = method(self, *args, **kwargs)
            setattr(self, field, target)
            return result

        move.transition = Transition(method.__name__, field, sources, target)  # type: ignore[attr-defined]
        return move

    return decorate


def transitions(model: type) -> list[Transition]:
    """The moves declared on `model`, by method name."""
    found = []
    for name in sorted(dir(model)):
        declared = getattr(getattr(model, name, None), "transition", None)
        if isinstance(declared, Transition):
            found.append(declared)
    return found
