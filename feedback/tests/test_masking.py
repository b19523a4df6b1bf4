import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.masking import mask_personal_data

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("โทร 081-234-5678 ครับ", "โทร xxx-xxx-xxxx ครับ"),
        ("โทร 0812345678", "โทร xxxxxxxxxx"),
        ("เบอร์ 089 123 4567 นะคะ", "เบอร์ xxx xxx xxxx นะคะ"),
        ("เบอร์ ๐๘๑ ๒๓๔ ๕๖๗๘", "เบอร์ xxx xxx xxxx"),
        ("สำนักงาน 02-123-4567 ต่อ 12", "สำนักงาน xx-xxx-xxxx ต่อ 12"),
        ("(02) 123 4567", "(xx) xxx xxxx"),
        ("053.123.456", "xxx.xxx.xxx"),
        ("+66 81 234 5678", "+xx xx xxx xxxx"),
        ("+66812345678", "+xxxxxxxxxxx"),
        ("บัตร 1-2345-67890-12-3 ค่ะ", "บัตร x-xxxx-xxxxx-xx-x ค่ะ"),
        ("1234567890123", "xxxxxxxxxxxxx"),
        ("1 2345 67890 12 3", "x xxxx xxxxx xx x"),
        ("๑-๒๓๔๕-๖๗๘๙๐-๑๒-๓", "x-xxxx-xxxxx-xx-x"),
        ("ติดต่อ somchai.j@example.co.th ได้", "ติดต่อ xx@xx ได้"),
        ("mail: a_b+c@mail.go.th.", "mail: xx@xx."),
    ],
)
def test_personal_data_is_masked(text, expected):
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ค่าธรรมเนียม 1,000 บาท",
        "วันที่ 12-05-2561 เวลา 10.30 น.",
        "สายด่วน 1548 และ 1111",
        "รอคิว 45 นาที ห้อง 302",
        "ปี พ.ศ. 2567 ได้รับบริการดีมาก",
        "<script>alert('x')</script>",
        "",
    ],
)
def test_ordinary_numbers_and_text_are_left_alone(text):
    assert mask_personal_data(text) == text


SEPARATORS = st.sampled_from(["", " ", "-", ".", "  ", " - "])
THAI_WORDS = st.text(alphabet="กขคงจฉชซญดตถทนบปผพฟมยรลวสหอะาิีึืุูเแโใไ่้๊๋ ", max_size=20)


def _join(digits: str, seps: list[str], thai: list[bool]) -> str:
    out = []
    for i, ch in enumerate(digits):
        if i:
            out.append(seps[i - 1])
        out.append(THAI_DIGITS[int(ch)] if thai[i] else ch)
    return "".join(out)


@st.composite
def phone_numbers(draw):
    length = draw(st.sampled_from([9, 10]))
    first = draw(st.sampled_from("689" if length == 10 else "234567"))
    rest = draw(st.text(alphabet="0123456789", min_size=length - 2, max_size=length - 2))
    digits = "0" + first + rest
    seps = draw(st.lists(SEPARATORS, min_size=length - 1, max_size=length - 1))
    thai = draw(st.lists(st.booleans(), min_size=length, max_size=length))
    return digits, _join(digits, seps, thai)


@st.composite
def id_numbers(draw):
    digits = draw(st.sampled_from("12345678")) + draw(
        st.text(alphabet="0123456789", min_size=12, max_size=12)
    )
    grouped = draw(st.booleans())
    if grouped:  # the printed form: 1-2345-67890-12-3
        sep = draw(st.sampled_from(["-", " ", ""]))
        seps = ["", "", "", "", "", "", "", "", "", "", "", ""]
        for position in (0, 4, 9, 11):
            seps[position] = sep
    else:
        seps = draw(st.lists(st.sampled_from(["", "", "", " ", "-"]), min_size=12, max_size=12))
    thai = draw(st.lists(st.booleans(), min_size=13, max_size=13))
    return digits, _join(digits, seps, thai)


def _no_digits_left(masked: str) -> bool:
    return not re.search(r"[0-9๐-๙]", masked)


@settings(max_examples=300)
@given(before=THAI_WORDS, number=phone_numbers(), after=THAI_WORDS)
def test_any_thai_phone_number_is_masked(before, number, after):
    _digits, written = number
    masked = mask_personal_data(f"{before} {written} {after}")
    assert _no_digits_left(masked), masked
    assert masked.startswith(before) and masked.endswith(after)


@settings(max_examples=300)
@given(before=THAI_WORDS, number=id_numbers(), after=THAI_WORDS)
def test_any_id_number_is_masked(before, number, after):
    _digits, written = number
    masked = mask_personal_data(f"{before} {written} {after}")
    assert _no_digits_left(masked), masked


@given(
    local=st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,15}", fullmatch=True),
    domain=st.from_regex(r"[a-z0-9-]{1,10}(\.[a-z]{2,5}){1,3}", fullmatch=True),
    before=THAI_WORDS,
)
def test_any_email_is_masked(local, domain, before):
    masked = mask_personal_data(f"{before} {local}@{domain} ขอบคุณ")
    assert "@" + domain not in masked
    assert "xx@xx" in masked


@given(st.text(alphabet=st.characters(blacklist_categories=["Nd"], blacklist_characters="@")))
def test_text_without_digits_or_at_signs_is_unchanged(text):
    assert mask_personal_data(text) == text


@given(st.text(max_size=1000))
def test_masking_never_lengthens_a_comment(text):
    assert len(mask_personal_data(text)) <= len(text)
