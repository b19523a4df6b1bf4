"""Reading a Thai national ID card through any `Transport`.

SELECT the MOI applet, then READ BINARY (class 0x80, P1P2 = offset, data `00 Le`) for each
block; the card answers `61 xx` and hands the bytes over on GET RESPONSE, whose P2 depends on
the card generation (recognised from the ATR, `layout.get_response_p2`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from idcard import decode, layout
from idcard.errors import BadCardDataError, UnknownCardError
from idcard.transport import Response, Transport

SW_OK = (0x90, 0x00)


@dataclass
class ApduCounter:
    sent: int = 0
    log: list[str] = field(default_factory=list)


class CardReader:
    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.apdus = ApduCounter()
        self.atr = b""
        self.get_response_p2 = 0x00

    def _send(self, apdu: bytes) -> Response:
        self.apdus.sent += 1
        return self.transport.transmit(apdu)

    def _fetch(self, first: Response, expected: int | None) -> bytes:
        """Follow `61 xx` with GET RESPONSE; accept data returned directly with 90 00."""
        if first.sw1 == 0x61:
            le = first.sw2 if expected is None else expected
            resp = self._send(bytes([0x00, 0xC0, 0x00, self.get_response_p2, le & 0xFF]))
            if (resp.sw1, resp.sw2) != SW_OK:
                raise BadCardDataError(f"GET RESPONSE answered {resp.sw1:02X}{resp.sw2:02X}")
            return resp.data
        if (first.sw1, first.sw2) == SW_OK:
            return first.data
        raise BadCardDataError(f"card answered {first.sw1:02X}{first.sw2:02X}")

    def select(self) -> None:
        self.atr = self.transport.atr()
        if not self.atr or self.atr[0] not in (0x3B, 0x3F):
            raise UnknownCardError(f"ATR {self.atr.hex()}")
        self.get_response_p2 = layout.get_response_p2(self.atr)
        aid = layout.AID_MOI
        resp = self._send(bytes([0x00, 0xA4, 0x04, 0x00, len(aid)]) + aid)
        if resp.sw1 == 0x61:
            # The select answer (FCI) is not needed, but some cards insist it is collected.
            self._send(bytes([0x00, 0xC0, 0x00, self.get_response_p2, resp.sw2]))
        elif (resp.sw1, resp.sw2) != SW_OK:
            raise UnknownCardError(f"SELECT MOI applet answered {resp.sw1:02X}{resp.sw2:02X}")

    def read_binary(self, offset: int, length: int) -> bytes:
        if not 0 < length <= 0xFF:
            raise ValueError("one short APDU reads 1..255 bytes")
        cmd = bytes([0x80, 0xB0, offset >> 8, offset & 0xFF, 0x02, 0x00, length])
        data = self._fetch(self._send(cmd), length)
        if len(data) < length:
            raise BadCardDataError(f"short read at {offset:#06x}: {len(data)} of {length}")
        return data[:length]

    def read(self, *, photo: bool = True) -> decode.CardData:
        self.select()
        person = self.read_binary(*layout.PERSON_BLOCK)
        card = self.read_binary(*layout.CARD_BLOCK)
        addr = self.read_binary(*layout.ADDRESS_BLOCK)
        base_p, base_c = layout.PERSON_BLOCK[0], layout.CARD_BLOCK[0]

        def cut(block: bytes, base: int, spec: tuple[int, int]) -> bytes:
            return block[spec[0] - base : spec[0] - base + spec[1]]

        data = decode.CardData(
            citizen_id=decode.citizen_id(cut(person, base_p, layout.CID)),
            name_th=decode.name(cut(person, base_p, layout.NAME_TH), thai=True),
            name_en=decode.name(cut(person, base_p, layout.NAME_EN), thai=False),
            birth_date=decode.card_date(cut(person, base_p, layout.BIRTH_DATE)),
            sex=decode.sex(cut(person, base_p, layout.SEX)),
            issuer=decode.text(cut(card, base_c, layout.ISSUER)),
            issue_date=decode.card_date(cut(card, base_c, layout.ISSUE_DATE)),
            expiry_date=decode.card_date(cut(card, base_c, layout.EXPIRY_DATE)),
            address=decode.address(addr),
            atr=self.atr.hex(" ").upper(),
            atr_known=self.atr in layout.KNOWN_ATRS,
        )
        if not data.atr_known:
            data.warnings.append("unknown_atr")
        if "\ufffd" in data.name_th.full + data.address.line:
            data.warnings.append("undecodable_text")
        if photo:
            data.photo = decode.photo(self.read_photo())
            if data.photo is None:
                data.warnings.append("photo_unreadable")
        return data

    def read_photo(self) -> bytes:
        start, total = layout.PHOTO
        chunks = []
        for offset in range(start, start + total, layout.PHOTO_CHUNK):
            chunks.append(self.read_binary(offset, layout.PHOTO_CHUNK))
        return b"".join(chunks)


def read_card(transport: Transport, *, photo: bool = True) -> decode.CardData:
    """Read and decode one card. Raises a `CardError` subclass; nothing half-read escapes."""
    try:
        return CardReader(transport).read(photo=photo)
    finally:
        transport.close()
