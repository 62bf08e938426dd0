"""Dedupe: one canonical article per story; the rest become duplicates with a pointer."""
from pipeline.dedupe.ids import article_id, fingerprint
from pipeline.dedupe.groups import group_duplicates

__all__ = ["article_id", "fingerprint", "group_duplicates"]
