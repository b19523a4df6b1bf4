"""Thai is the default language: every catalogue must be complete and compiled."""

import polib
import pytest

from core.management.commands.compile_translations import po_files

CATALOGUES = po_files()


def test_there_are_catalogues():
    assert any("accounts" in str(p) for p in CATALOGUES)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.parent.parent.parent.parent.name))
def test_every_string_has_a_thai_translation(path):
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{path}: untranslated {untranslated[:10]}"
    assert not fuzzy, f"{path}: fuzzy {fuzzy[:10]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.parent.parent.parent.parent.name))
def test_placeholders_survive_translation(path):
    import re

    pattern = re.compile(r"%\(\w+\)s|\{\w+\}")
    for entry in polib.pofile(str(path)).translated_entries():
        source = sorted(pattern.findall(entry.msgid))
        translated = entry.msgstr or entry.msgstr_plural.get(0, "")
        assert sorted(pattern.findall(translated)) == source, entry.msgid


def test_compiled_catalogue_is_current(path=None):
    for po_path in CATALOGUES:
        mo_path = po_path.with_suffix(".mo")
        assert mo_path.exists(), f"run manage.py compile_translations ({mo_path} missing)"
        assert mo_path.stat().st_mtime >= po_path.stat().st_mtime - 1, f"{mo_path} is stale"


def test_djangos_own_messages_that_its_thai_catalogue_lacks_are_thai():
    """Past a field's maxlength (a crafted POST) the error is Thai, not Django's English."""
    from django import forms
    from django.utils import translation

    with translation.override("th"):
        with pytest.raises(forms.ValidationError) as too_long:
            forms.CharField(max_length=5).clean("x" * 9)
        with pytest.raises(forms.ValidationError) as null:
            forms.CharField().clean("a\x00b")
    assert too_long.value.messages == ["ค่านี้ต้องยาวไม่เกิน 5 ตัวอักษร (ขณะนี้ 9 ตัวอักษร)"]
    assert null.value.messages == ["ไม่อนุญาตให้มีอักขระ null"]
