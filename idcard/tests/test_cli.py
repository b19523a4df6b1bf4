import json

from idcard.__main__ import main


def test_read_prints_the_card_without_the_photo(capsys):
    assert main(["read", "--simulated"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["name_th"]["full"] == "นายสมชาย ใจดี"
    assert out["photo_jpeg_base64"] is None


def test_read_without_pyscard_reports_no_reader(capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "smartcard", None)
    assert main(["read"]) == 1
    assert json.loads(capsys.readouterr().out)["error"] == "no_reader"
