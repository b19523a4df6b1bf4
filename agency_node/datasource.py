"""Pluggable registry back end of a provider node.

An agency plugs its own registry in by naming a class in the node config
(``"data_source": "package.module:ClassName"``); the class is constructed with
``data_source_options`` as keyword arguments.
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class DataSource(Protocol):
    #: document types this source can answer; others are refused before lookup
    document_types: tuple[str, ...]

    def fetch(self, document_type: str, citizen_id: str) -> dict[str, Any] | None:
        """Return the document, or None when the registry has no such record."""
        ...


def load_data_source(dotted: str, options: dict[str, Any] | None = None) -> DataSource:
    """Instantiate ``"module.path:Class"`` (or ``"module.path.Class"``)."""
    module_name, sep, attr = dotted.partition(":")
    if not sep:
        module_name, _, attr = dotted.rpartition(".")
    cls = getattr(importlib.import_module(module_name), attr)
    source = cls(**(options or {}))
    if not isinstance(source, DataSource):
        raise TypeError(f"{dotted} does not implement DataSource")
    return source
