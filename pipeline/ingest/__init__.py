"""Ingest: discover page files, read them, and turn each page into a Document."""
from __future__ import annotations

import hashlib
from pathlib import Path
from datetime import datetime, timezone

from pipeline.ingest.decode import decode_bytes, is_lossy
from pipeline.ingest.discover import SourceFile, discover, printable_path, shard
from pipeline.ingest.readers import RawPage, read_source
from pipeline.ingest import sidecar
from pipeline.record import Document

__all__ = ["SourceFile", "RawPage", "discover", "shard", "read_source", "page_id", "unread_page_id", "printable_path",
           "to_document"]


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _looks_binary(raw: bytes) -> bool:
    head = raw[:4096]
    return b"\x00" in head and not (head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"))


def unread_page_id(path: str) -> str:
    """The id of a page that could not be read: it has no bytes, so its path names it (two
    unreadable files are two pages, not one)."""
    return hashlib.sha256(f"unread:{path}".encode("utf-8", "surrogateescape")).hexdigest()


def page_id(page: RawPage) -> str:
    """sha256 of the raw bytes, or ``unread_page_id`` for a page that could not be read."""
    if page.error and not page.raw:
        return unread_page_id(page.path)
    return hashlib.sha256(page.raw).hexdigest()


def to_document(page: RawPage, pid: str | None = None) -> Document:
    """Hash and decode one raw page; a page that cannot be a Document comes back rejected."""
    doc = Document(id=pid or page_id(page), path=printable_path(page.path), format=page.fmt)
    url, fetched = page.url, page.fetched_at
    if url is None and Path(page.path).is_file():  # a plain file, not a record of an archive
        url, fetched = sidecar.lookup(page.path)
    doc.url, doc.fetched_at = url, _parse_time(fetched or page.fetched_at)
    if page.error:
        reason, _, detail = page.error.partition(": ")
        return doc.reject(reason, detail or None)
    if not page.raw.strip():
        return doc.reject("empty")
    if _looks_binary(page.raw):
        return doc.reject("binary")
    doc.content, doc.encoding = decode_bytes(page.raw, page.charset)
    if is_lossy(doc.content, doc.encoding):
        doc.flags.append("lossy_decode")
    return doc
