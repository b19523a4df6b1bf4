import datetime as dt

import pytest

from idcard import decode, layout
from idcard.errors import (
    BadCardDataError,
    CardRemovedError,
    ChecksumError,
    NoCardError,
    NoReaderError,
    UnknownCardError,
)
from idcard.reader import CardReader, read_card
from idcard.simulated import (
    ATR_P2_01,
    ATR_STANDARD,
    CardContents,
    SimulatedCard,
    sample_photo,
    valid_citizen_id,
)


@pytest.mark.parametrize("atr", [ATR_STANDARD, ATR_P2_01])
def test_reads_every_field_with_both_card_generations(atr):
    photo = sample_photo()
    card = SimulatedCard(CardContents(photo=photo), atr=atr)
    data = read_card(card)
    assert data.citizen_id == valid_citizen_id("110170023456")
    assert data.name_th.full == "นายสมชาย ใจดี"
    assert (data.name_th.prefix, data.name_th.first, data.name_th.last) == ("นาย", "สมชาย", "ใจดี")
    assert data.name_en.full == "Mr. Somchai Jaidee"
    assert data.birth_date.date == dt.date(1977, 1, 15)
    assert data.sex == "male"
    assert data.issuer.startswith("ที่ว่าการอำเภอเมืองเชียงใหม่")
    assert data.issue_date.date == dt.date(2022, 3, 1)
    assert data.expiry_date.date == dt.date(2031, 1, 14)
    assert data.address.parts[0] == "99/1"
    assert data.address.parts[-1] == "จังหวัดเชียงใหม่"
    assert data.address.line == ("99/1 หมู่ที่ 5 ถนนห้วยแก้ว ตำบลสุเทพ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่")
    assert data.photo == photo
    assert data.atr_known and data.warnings == []
    assert not data.expired(dt.date(2026, 11, 30))


def test_the_p2_01_card_refuses_the_standard_get_response():
    card = SimulatedCard(atr=ATR_P2_01)
    reader = CardReader(card)
    reader.select()
    reader.get_response_p2 = 0x00  # as a reader that ignores the ATR would do
    with pytest.raises(BadCardDataError):
        reader.read_binary(*layout.CID)


def test_apdu_count_is_small():
    card = SimulatedCard()
    reader = CardReader(card)
    reader.read(photo=True)
    # SELECT + its GET RESPONSE, then 3 blocks and 20 photo chunks, two APDUs each.
    assert reader.apdus.sent == 2 + 2 * (3 + 20) == card.sent
    no_photo = CardReader(SimulatedCard())
    no_photo.read(photo=False)
    assert no_photo.apdus.sent == 8


def test_no_reader_no_card():
    with pytest.raises(NoReaderError):
        read_card(SimulatedCard(reader=False))
    with pytest.raises(NoCardError) as exc:
        read_card(SimulatedCard(present=False))
    assert "กรุณาเสียบบัตร" in exc.value.message_th


def test_card_removed_mid_read():
    with pytest.raises(CardRemovedError) as exc:
        read_card(SimulatedCard(remove_after=10))
    assert exc.value.as_dict()["error"] == "card_removed"


def test_garbage_answers_are_refused():
    with pytest.raises(BadCardDataError):
        read_card(SimulatedCard(garbage=True))


def test_random_memory_is_refused_or_decoded_without_crash():
    import random

    rnd = random.Random(13)
    for _ in range(50):
        mem = bytes(rnd.randrange(256) for _ in range(layout.MEMORY_SIZE))
        try:
            data = read_card(SimulatedCard(memory=mem))
        except BadCardDataError:
            continue
        assert len(data.citizen_id) == 13


def test_truncated_read():
    with pytest.raises(BadCardDataError) as exc:
        read_card(SimulatedCard(truncate_at=layout.CARD_BLOCK[0]))
    assert "short read" in str(exc.value)


def test_wrong_checksum():
    bad = valid_citizen_id("110170023456")
    bad = bad[:12] + str((int(bad[12]) + 1) % 10)
    with pytest.raises(ChecksumError) as exc:
        read_card(SimulatedCard(CardContents(citizen_id=bad)))
    assert exc.value.code == "bad_checksum"


def test_expired_card_is_read_and_flagged_not_refused():
    data = read_card(SimulatedCard(CardContents(expiry_date="25600101")))
    assert data.expired(dt.date(2026, 11, 30))
    assert data.as_json(today=dt.date(2026, 11, 30))["expired"] is True


def test_lifelong_and_partial_dates():
    data = read_card(
        SimulatedCard(CardContents(expiry_date="99999999", birth_date="25100000")), photo=False
    )
    assert data.expiry_date.lifelong and data.expiry_date.display_th == "ตลอดชีพ"
    assert not data.expired()
    assert data.birth_date.date is None
    assert (data.birth_date.year_be, data.birth_date.month) == (2510, 0)
    assert data.birth_date.display_th == "2510"
    assert decode.card_date(b"25201301").month == 0


def test_unknown_atr_without_the_applet_is_an_unknown_card():
    with pytest.raises(UnknownCardError):
        read_card(SimulatedCard(atr=bytes.fromhex("3B8F8001804F0CA000000306"), has_applet=False))
    with pytest.raises(UnknownCardError):
        read_card(SimulatedCard(atr=b"\x00\x01"))


def test_unknown_atr_with_the_applet_is_read_with_a_warning():
    data = read_card(SimulatedCard(atr=bytes.fromhex("3B6900000073C84013009000")))
    assert not data.atr_known and "unknown_atr" in data.warnings


def test_undecodable_text_is_replaced_not_fatal():
    mem = bytearray(SimulatedCard().__dict__["_memory"])
    off = layout.NAME_TH[0]
    mem[off : off + 4] = b"\xfc\xfd\xfe#"  # unassigned in TIS-620
    data = read_card(SimulatedCard(memory=bytes(mem)), photo=False)
    assert "\ufffd" in data.name_th.prefix
    assert "undecodable_text" in data.warnings


def test_photo_that_is_not_a_jpeg_is_dropped_with_a_warning():
    data = read_card(SimulatedCard(CardContents(photo=b"not a jpeg")))
    assert data.photo is None and "photo_unreadable" in data.warnings


def test_json_has_the_photo_as_base64_and_dates():
    out = read_card(SimulatedCard()).as_json(today=dt.date(2026, 1, 1))
    assert out["photo_jpeg_base64"].startswith("/9j/")
    assert out["birth_date"]["iso"] == "1977-01-15"
    assert out["name_th"]["full"] == "นายสมชาย ใจดี"


def test_check_digit_known_value():
    assert decode.cid_check_digit("110170023456") == int(valid_citizen_id("110170023456")[-1])
    with pytest.raises(BadCardDataError):
        decode.citizen_id(b"12345")
