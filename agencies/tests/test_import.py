import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agencies.models import Agency
from agencies.services import agency_import_csv

DIRECTORY = Path(__file__).resolve().parents[1] / "fixtures" / "directory.csv"
HEADER = "code,kind,parent_code,name_th,name_en,abbreviation,gfmis_code,tax_id\n"


def test_demo_directory_has_the_20_ministry_level_bodies_and_imports_idempotently(db):
    first = agency_import_csv(text=DIRECTORY.read_text(encoding="utf-8"))
    assert first.ok and first.created > 60
    assert Agency.objects.filter(kind=Agency.Kind.MINISTRY).count() == 20
    assert Agency.objects.get(code="rd").ministry.code == "mof"
    assert Agency.objects.get(code="dopa-cmi-muang").ministry.code == "moi"
    assert not Agency.objects.exclude(gfmis_code="").exists()  # we invent no official codes
    second = agency_import_csv(text=DIRECTORY.read_text(encoding="utf-8"))
    assert (second.created, second.updated) == (0, 0)
    assert second.unchanged == first.created


def test_rows_may_reference_parents_later_in_the_file(db):
    text = HEADER + "u1,unit,d1,หน่วย,,,,\nd1,department,m1,กรม,,,,\nm1,ministry,,กระทรวง,,,,\n"
    result = agency_import_csv(text=text)
    assert result.ok, result.errors
    assert Agency.objects.get(code="u1").lineage()[0].code == "m1"


def test_update_changes_names_by_code(db):
    agency_import_csv(text=HEADER + "m1,ministry,,กระทรวงเดิม,,,,\n")
    result = agency_import_csv(text=HEADER + "m1,ministry,,กระทรวงใหม่,New,,,\n")
    assert result.updated == 1
    assert Agency.objects.get(code="m1").name_th == "กระทรวงใหม่"


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(db):
    text = HEADER + (
        "m1,ministry,,กระทรวงดี,,,,\n"  # line 2: fine
        "Bad Code,ministry,,ชื่อ,,,,\n"  # line 3: bad code
        "d1,department,,กรม,,,,\n"  # line 4: department without parent
        "d2,department,nowhere,กรม,,,,\n"  # line 5: unknown parent
        "m1,ministry,,ซ้ำ,,,,\n"  # line 6: duplicate code
        "x1,planet,,ดาว,,,,\n"  # line 7: unknown kind
        "u1,unit,m1,,,,,\n"  # line 8: empty Thai name
        "m2,ministry,,กระทรวง,,,123,\n"  # line 9: invalid? gfmis ok digits
        "m3,ministry,,กระทรวง,,,,12345\n"  # line 10: tax id not 13 digits
    )
    result = agency_import_csv(text=text)
    lines = sorted({line for line, _msg in result.errors})
    assert lines[:6] == [3, 4, 5, 6, 7, 8]
    assert Agency.objects.count() == 0
    assert result.created == 0


def test_errors_found_only_when_saving_still_roll_everything_back(db):
    text = HEADER + "m1,ministry,,กระทรวง,,,,\nm3,ministry,,กระทรวง,,,,12345\n"
    result = agency_import_csv(text=text)
    assert [line for line, _m in result.errors] == [3]
    assert Agency.objects.count() == 0


def test_missing_columns_are_reported(db):
    result = agency_import_csv(text="code,name_th\nm1,กระทรวง\n")
    assert result.errors and result.errors[0][0] == 1
    assert Agency.objects.count() == 0


def test_management_command_reports_errors_and_exits_non_zero(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Bad Code,ministry,,ชื่อ,,,,\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_agencies", str(bad), stderr=err)
    assert re.search(r"\b1\b", str(raised.value))
    # Each bad line is named on stderr: the header is line 1, the bad row line 2.
    lines = err.getvalue().splitlines()
    assert len(lines) == 1 and re.search(r"\b2\b", lines[0]) and "Bad Code" in lines[0]
    assert Agency.objects.count() == 0
    good = tmp_path / "good.csv"
    good.write_text("\ufeff" + HEADER + "m1,ministry,,กระทรวง,,,,\n", encoding="utf-8")
    call_command("import_agencies", str(good))
    assert Agency.objects.filter(code="m1").exists()
