"""What every importer (agencies, service points, the Citizen's Manual) reports back."""

from dataclasses import dataclass, field


@dataclass
class ImportResult:
    """All or nothing: with any error, nothing was written and the counts are 0.

    `errors` holds (where, message): a line number, or a position such as "line 3" or
    "services[2].steps[1]" for the Manual's JSON."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int | str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors
