"""A simulated card: answers APDUs from a memory image laid out as `layout` describes.

Used by the tests, the benchmark, and `python -m idcard serve --simulated` in the demo.
Faults (garbage, truncation, removal mid-read, unknown ATR) are switches on the card.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from idcard import layout
from idcard.decode import cid_check_digit
from idcard.errors import CardRemovedError, NoCardError, NoReaderError
from idcard.transport import Response

ATR_STANDARD = bytes.fromhex("3B6800000073C84012009000")
ATR_P2_01 = bytes.fromhex("3B67000000000000009000")


def valid_citizen_id(first12: str) -> str:
    return first12 + str(cid_check_digit(first12))


def sample_photo(size: tuple[int, int] = (297, 356)) -> bytes:
    """A small grey JPEG the size of the card photo (Pillow; only for simulated cards)."""
    from PIL import Image, ImageDraw

    img = Image.new("L", size, 200)
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.ellipse((w * 0.3, h * 0.15, w * 0.7, h * 0.5), fill=120)
    draw.rectangle((w * 0.2, h * 0.55, w * 0.8, h), fill=120)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=60)
    return buf.getvalue()


@dataclass
class CardContents:
    citizen_id: str = field(default_factory=lambda: valid_citizen_id("110170023456"))
    name_th: str = "นาย#สมชาย##ใจดี"
    name_en: str = "Mr.#Somchai##Jaidee"
    birth_date: str = "25200115"
    sex: str = "1"
    issuer: str = "ที่ว่าการอำเภอเมืองเชียงใหม่/เชียงใหม่"
    issue_date: str = "25650301"
    expiry_date: str = "25740114"
    address: str = "99/1#หมู่ที่ 5###ถนนห้วยแก้ว#ตำบลสุเทพ#อำเภอเมืองเชียงใหม่#จังหวัดเชียงใหม่"
    photo: bytes | None = None

    def memory(self) -> bytearray:
        mem = bytearray(b" " * layout.MEMORY_SIZE)

        def put(spec: tuple[int, int], value: bytes) -> None:
            off, length = spec
            value = value[:length]
            mem[off : off + len(value)] = value

        put(layout.CID, self.citizen_id.encode("ascii"))
        put(layout.NAME_TH, self.name_th.encode("tis-620"))
        put(layout.NAME_EN, self.name_en.encode("ascii"))
        put(layout.BIRTH_DATE, self.birth_date.encode("ascii"))
        put(layout.SEX, self.sex.encode("ascii"))
        put(layout.ISSUER, self.issuer.encode("tis-620"))
        put(layout.ISSUE_DATE, self.issue_date.encode("ascii"))
        put(layout.EXPIRY_DATE, self.expiry_date.encode("ascii"))
        put(layout.ADDRESS, self.address.encode("tis-620"))
        photo = self.photo if self.photo is not None else sample_photo()
        off, length = layout.PHOTO
        mem[off : off + length] = photo[:length].ljust(length, b"\x00")
        return mem


class SimulatedCard:
    """A transport whose 'card' behaves like the MOI applet, with optional faults."""

    def __init__(
        self,
        contents: CardContents | None = None,
        *,
        atr: bytes = ATR_STANDARD,
        has_applet: bool = True,
        present: bool = True,
        reader: bool = True,
        remove_after: int | None = None,
        truncate_at: int | None = None,
        garbage: bool = False,
        memory: bytes | None = None,
        latency: float = 0.0,
    ) -> None:
        self.contents = contents or CardContents()
        self._memory = bytes(memory) if memory is not None else bytes(self.contents.memory())
        self._atr = atr
        self.has_applet = has_applet
        self.present = present
        self.reader = reader
        self.remove_after = remove_after
        self.truncate_at = truncate_at
        self.garbage = garbage
        self.latency = latency
        self.sent = 0
        self._pending = b""
        self._selected = False

    def atr(self) -> bytes:
        if not self.reader:
            raise NoReaderError("no PC/SC reader")
        if not self.present:
            raise NoCardError("no card")
        return self._atr

    def close(self) -> None:
        self._selected = False

    def transmit(self, apdu: bytes) -> Response:
        if self.remove_after is not None and self.sent >= self.remove_after:
            raise CardRemovedError("card removed")
        self.sent += 1
        if self.latency:
            import time

            time.sleep(self.latency)
        if self.garbage:
            return Response(bytes(range(7)) * 3, 0x90, 0x00)
        cla, ins = apdu[0], apdu[1]
        if ins == 0xA4:
            if self.has_applet and apdu[5:13] == layout.AID_MOI:
                self._selected = True
                return Response(b"", 0x61, 0x0A)  # FCI waiting
            return Response(b"", 0x6A, 0x82)
        if ins == 0xC0:
            if apdu[3] != layout.get_response_p2(self._atr):
                return Response(b"", 0x6A, 0x86)
            data, self._pending = self._pending[: apdu[4]], b""
            return Response(data, 0x90, 0x00)
        if ins == 0xB0 and cla == 0x80 and self._selected:
            offset, le = (apdu[2] << 8) | apdu[3], apdu[6]
            data = self._memory[offset : offset + le]
            if self.truncate_at is not None and offset >= self.truncate_at:
                data = data[: le // 2]
            self._pending = data
            return Response(b"", 0x61, len(data))
        return Response(b"", 0x6D, 0x00)
