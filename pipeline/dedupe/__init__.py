"""Dedupe: one canonical article per story; the rest become duplicates with a pointer.

Within a run (``group_duplicates``) and against the previous release (``load_index`` +
``match``, applied by ``assemble.build_tables(..., prior=...)``).
"""
from pipeline.dedupe.ids import article_id, fingerprint
from pipeline.dedupe.groups import group_duplicates
from pipeline.dedupe.history import PriorIndex, load_index, match

__all__ = ["PriorIndex", "article_id", "fingerprint", "group_duplicates", "load_index", "match"]
