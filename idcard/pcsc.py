"""The PC/SC transport through pyscard (`pip install .[idcard]`; needs Debian's pcscd and
libpcsclite-dev to build, or the Windows smart-card service)."""

from __future__ import annotations

from typing import Any

from idcard.errors import CardRemovedError, NoCardError, NoReaderError
from idcard.transport import Response


class PcscTransport:
    def __init__(self, reader_index: int = 0) -> None:
        try:
            from smartcard import Exceptions, System
        except ImportError as exc:  # the optional extra is not installed
            raise NoReaderError("pyscard is not installed: pip install .[idcard]") from exc
        self._exc = Exceptions
        try:
            found = System.readers()
        except Exceptions.SmartcardException as exc:  # pcscd not running
            raise NoReaderError(str(exc)) from exc
        if len(found) <= reader_index:
            raise NoReaderError("no PC/SC reader")
        self._reader = found[reader_index]
        self._conn: Any = None

    def atr(self) -> bytes:
        conn = self._reader.createConnection()
        try:
            conn.connect()
        except (self._exc.NoCardException, self._exc.CardConnectionException) as exc:
            raise NoCardError(str(exc)) from exc
        self._conn = conn
        return bytes(conn.getATR())

    def transmit(self, apdu: bytes) -> Response:
        if self._conn is None:
            raise NoCardError("not connected")
        try:
            data, sw1, sw2 = self._conn.transmit(list(apdu))
        except self._exc.CardConnectionException as exc:
            raise CardRemovedError(str(exc)) from exc
        return Response(bytes(data), sw1, sw2)

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.disconnect()
            except self._exc.CardConnectionException:
                pass
            self._conn = None
