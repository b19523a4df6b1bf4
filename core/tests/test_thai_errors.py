"""Issue 16: Thai pages give Thai errors: password rules, and questions answered by choosing."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from feedback.forms import ResponseForm


def test_password_rules_in_thai():
    with translation.override("th"), pytest.raises(ValidationError) as caught:
        validate_password("12345")
    text = " ".join(caught.value.messages)
    assert "รหัสผ่านนี้สั้นเกินไป ต้องมีอย่างน้อย 10 ตัวอักษร" in text
    assert "ตัวเลขทั้งหมด" in text
    assert "password" not in text.lower()


def test_an_empty_radio_question_asks_to_choose_not_to_fill_in():
    with translation.override("th"):
        form = ResponseForm({}, services=())
        assert not form.is_valid()
        assert form.errors["overall"] == ["โปรดเลือกคำตอบ"]
        assert "โปรดกรอกข้อมูลในช่องนี้" not in str(form.errors["overall"])
