"""GDX agency node: the piece each agency runs next to its own registry.

Pure Python + ``cryptography`` (no Django).  Consumer nodes seal citizen IDs to
providers and verify answers; provider nodes answer hub-forwarded requests from
a pluggable :class:`~agency_node.datasource.DataSource`.
"""

from .datasource import DataSource, load_data_source

__all__ = ["DataSource", "load_data_source"]
