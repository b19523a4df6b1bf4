"""What can go wrong while reading a card. Each error has a stable code and a Thai message
that the counter page shows as is (the officer's PC may not run the portal's translations)."""


class CardError(Exception):
    code = "card_error"
    message_th = "อ่านบัตรไม่สำเร็จ กรุณาลองใหม่"
    message_en = "The card could not be read. Please try again."

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.message_en)
        self.detail = detail

    def as_dict(self) -> dict[str, str]:
        return {
            "error": self.code,
            "message_th": self.message_th,
            "message_en": self.message_en,
            "detail": self.detail,
        }


class NoReaderError(CardError):
    code = "no_reader"
    message_th = "ไม่พบเครื่องอ่านบัตร กรุณาเสียบเครื่องอ่านบัตรและตรวจสอบว่าบริการ pcscd ทำงานอยู่"
    message_en = "No card reader found. Plug in the reader and check that pcscd is running."


class NoCardError(CardError):
    code = "no_card"
    message_th = "ไม่พบบัตรในเครื่องอ่าน กรุณาเสียบบัตรประชาชน"
    message_en = "No card in the reader. Insert the ID card."


class CardRemovedError(CardError):
    code = "card_removed"
    message_th = "บัตรถูกดึงออกระหว่างอ่าน กรุณาเสียบบัตรแล้วอ่านใหม่"
    message_en = "The card was removed while it was being read. Insert it and read again."


class UnknownCardError(CardError):
    code = "unknown_card"
    message_th = "บัตรนี้ไม่ใช่บัตรประจำตัวประชาชนที่ระบบรู้จัก"
    message_en = "This card is not a Thai national ID card the reader knows."


class BadCardDataError(CardError):
    code = "bad_data"
    message_th = "ข้อมูลในบัตรไม่ถูกต้องหรืออ่านได้ไม่ครบ กรุณาอ่านใหม่ หรือตรวจบัตรด้วยสายตา"
    message_en = (
        "The card answered with invalid or incomplete data. Read again or check the card by eye."
    )


class ChecksumError(BadCardDataError):
    code = "bad_checksum"
    message_th = "เลขประจำตัวประชาชนในบัตรไม่ผ่านการตรวจเลขตรวจสอบ"
    message_en = "The citizen ID on the card fails its check digit."
