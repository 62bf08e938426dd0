"""Dedupe: one canonical article per story; the rest become duplicates with a pointer.

A run keeps a light entry of each page (``Lights``, ``light``); ``resolve_lights`` groups
them (same body, or nearly the same by MinHash), picks each group's canonical, gives copies of
the previous release's articles (``load_index``, ``match``) their released id, and returns a
``Resolution``. ``resolve_pages`` does the same for candidates in memory
(``assemble.build_tables``).
"""
from pipeline.dedupe.columnar import Resolution, resolve_lights, resolve_pages
from pipeline.dedupe.history import PriorIndex, load_index, match
from pipeline.dedupe.ids import article_id, fingerprint
from pipeline.dedupe.lights import Lights, light

__all__ = ["Lights", "PriorIndex", "Resolution", "article_id", "fingerprint", "light", "load_index", "match",
           "resolve_lights", "resolve_pages"]
