from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gdx_protocol import thai_id_check_digit, thai_id_is_valid
from gdx_protocol.thai_id import normalize_thai_id

twelve = st.text(alphabet="0123456789", min_size=12, max_size=12)


def test_known_examples():
    # 1-1017-00123-45-? : 1*13+1*12+0*11+1*10+7*9+0*8+0*7+1*6+2*5+3*4+4*3+5*2 = 148
    assert thai_id_check_digit("110170012345") == (11 - 148 % 11) % 10 == 6
    assert thai_id_is_valid("1101700123456")
    assert not thai_id_is_valid("1101700123457")
    assert thai_id_is_valid(normalize_thai_id("1-1017-00123-45-6"))


@given(twelve)
def test_completed_ids_are_valid(first12):
    assert thai_id_is_valid(first12 + str(thai_id_check_digit(first12)))


@given(twelve, st.integers(0, 9))
def test_exactly_one_check_digit_is_valid(first12, digit):
    assert thai_id_is_valid(first12 + str(digit)) == (digit == thai_id_check_digit(first12))


def _r(first12: str) -> int:
    return 11 - sum(int(d) * w for d, w in zip(first12, range(13, 1, -1), strict=True)) % 11


@given(twelve, st.integers(0, 11), st.integers(1, 9))
def test_single_digit_errors(first12, pos, delta):
    """Weights 13..2 are non-zero mod 11 except weight 11 (the 3rd digit), so any other
    single-digit change alters r = 11 - S mod 11; the final "mod 10" folds r=11 onto r=1,
    the only remaining blind spot."""
    good = first12 + str(thai_id_check_digit(first12))
    changed = good[:pos] + str((int(good[pos]) + delta) % 10) + good[pos + 1 :]
    if pos == 2:
        assert thai_id_is_valid(changed)  # documented weakness of the national scheme
        return
    assert _r(changed[:12]) != _r(good[:12])
    if {_r(changed[:12]), _r(good[:12])} != {1, 11}:
        assert not thai_id_is_valid(changed)


@given(st.one_of(st.text(max_size=20), st.integers(), st.none(), st.binary(max_size=14)))
def test_never_raises(value):
    assert thai_id_is_valid(value) in (True, False)


def test_rejects_non_ascii_digits():
    assert not thai_id_is_valid("๑๑๐๑๗๐๐๑๒๓๔๕๖")  # Thai numerals
    assert not thai_id_is_valid("110170012345")
    assert not thai_id_is_valid(" 101700123456")
