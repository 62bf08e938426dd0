"""Dedupe: one canonical article per story; the rest become duplicates with a pointer.

A run keeps a light entry of each page (``Lights``, ``light``); ``resolve_lights`` groups
them (same body, or nearly the same by MinHash), picks each group's canonical, gives copies of
the previous release's articles (``load_index``, ``match``) their released id, and returns a
``Resolution``. ``resolve_pages`` does the same for candidates in memory
(``assemble.build_tables``).
"""
from __future__ import annotations

from importlib import import_module

_WHERE = {"Resolution": "columnar", "resolve_lights": "columnar", "resolve_pages": "columnar",
          "PriorIndex": "history", "load_index": "history", "match": "history",
          "article_id": "ids", "fingerprint": "ids", "Lights": "lights", "light": "lights"}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    """The package's names, each imported from its module when first asked for: a page's work
    needs ``ids`` and ``near`` only, and a worker process that does it need not load Arrow."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
