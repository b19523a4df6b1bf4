"""The PC/SC transport against a stand-in for pyscard (no reader on CI machines)."""

import sys
import types

import pytest

from idcard import pcsc
from idcard.errors import CardRemovedError, NoCardError, NoReaderError
from idcard.reader import read_card
from idcard.simulated import SimulatedCard


class SmartcardException(Exception):  # noqa: N818 - pyscard's name
    pass


class NoCardException(SmartcardException):
    pass


class CardConnectionException(SmartcardException):
    pass


@pytest.fixture
def fake_pyscard(monkeypatch):
    state = {"readers": [], "card": None}

    class Connection:
        def connect(self):
            if state["card"] is None:
                raise NoCardException("no card")

        def getATR(self):  # noqa: N802 - pyscard's name
            return list(state["card"].atr())

        def transmit(self, apdu):
            try:
                r = state["card"].transmit(bytes(apdu))
            except CardRemovedError as exc:
                raise CardConnectionException("removed") from exc
            return list(r.data), r.sw1, r.sw2

        def disconnect(self):
            pass

    class Reader:
        def createConnection(self):  # noqa: N802 - pyscard's name
            return Connection()

    pkg = types.ModuleType("smartcard")
    system = types.ModuleType("smartcard.System")
    system.readers = lambda: state["readers"]
    exceptions = types.ModuleType("smartcard.Exceptions")
    exceptions.SmartcardException = SmartcardException
    exceptions.NoCardException = NoCardException
    exceptions.CardConnectionException = CardConnectionException
    pkg.System = system
    pkg.Exceptions = exceptions
    monkeypatch.setitem(sys.modules, "smartcard", pkg)
    monkeypatch.setitem(sys.modules, "smartcard.System", system)
    monkeypatch.setitem(sys.modules, "smartcard.Exceptions", exceptions)
    state["reader_cls"] = Reader
    return state


def test_no_reader(fake_pyscard):
    with pytest.raises(NoReaderError):
        pcsc.PcscTransport()


def test_no_card(fake_pyscard):
    fake_pyscard["readers"] = [fake_pyscard["reader_cls"]()]
    with pytest.raises(NoCardError):
        read_card(pcsc.PcscTransport())


def test_reads_through_pcsc(fake_pyscard):
    fake_pyscard["readers"] = [fake_pyscard["reader_cls"]()]
    fake_pyscard["card"] = SimulatedCard()
    assert read_card(pcsc.PcscTransport(), photo=False).sex == "male"


def test_removed(fake_pyscard):
    fake_pyscard["readers"] = [fake_pyscard["reader_cls"]()]
    fake_pyscard["card"] = SimulatedCard(remove_after=3)
    with pytest.raises(CardRemovedError):
        read_card(pcsc.PcscTransport())


def test_pyscard_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "smartcard", None)
    with pytest.raises(NoReaderError) as exc:
        pcsc.PcscTransport()
    assert "pip install" in exc.value.detail
