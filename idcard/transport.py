"""The one thing the reader needs from hardware: send an APDU, get data and a status word."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Response:
    data: bytes
    sw1: int
    sw2: int

    @property
    def ok(self) -> bool:
        return self.sw1 == 0x90 and self.sw2 == 0x00


class Transport(Protocol):
    def atr(self) -> bytes:
        """The card's Answer-To-Reset; raises NoReaderError / NoCardError."""
        ...

    def transmit(self, apdu: bytes) -> Response:
        """Send one command APDU; raises CardRemovedError when the card leaves."""
        ...

    def close(self) -> None: ...
