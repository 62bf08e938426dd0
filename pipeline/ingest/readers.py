"""Turn one source file into raw pages: a plain page, or the records of a WARC or JSONL file.

A reader never raises: what cannot be read comes out as a RawPage with an ``error``, so the
page is accounted for as rejected instead of being lost.
"""
from __future__ import annotations

import gzip
import io
import json
import zlib
from dataclasses import dataclass
from typing import Iterator

from pipeline.ingest.decode import valid_utf8
from pipeline.ingest.discover import SourceFile
from pipeline.limits import PageLimits, page_limits

MAX_PAGE_BYTES = PageLimits.max_page_bytes  # the default; see pipeline.limits


@dataclass
class RawPage:
    path: str
    raw: bytes
    fmt: str  # html | text
    url: str | None = None
    fetched_at: str | None = None
    charset: str | None = None  # from the HTTP header, when an archive kept it
    error: str | None = None


def read_source(src: SourceFile, max_bytes: int | None = None, limits: PageLimits | None = None) -> Iterator[RawPage]:
    """The pages of one file; reads at most ``max_page_bytes`` a page and ``max_archive_bytes``
    of decompressed data a file, so a file that grew, a gzip bomb or a lying Content-Length
    cannot make one page cost more. A container with no page at all yields one rejected page."""
    limits = limits or page_limits()
    max_bytes = max_bytes or limits.max_page_bytes
    n = 0
    try:
        if src.kind in ("html", "text"):
            if src.size > max_bytes:
                yield RawPage(src.path, b"", src.kind, error=f"too_large: {src.size} bytes > {max_bytes}")
                return
            with open(src.path, "rb") as fh:
                raw = fh.read(max_bytes + 1)
            if len(raw) > max_bytes:
                yield RawPage(src.path, b"", src.kind, error=f"too_large: more than {max_bytes} bytes")
                return
            n = 1
            yield RawPage(src.path, raw, src.kind)
        elif src.kind in ("jsonl", "warc"):
            read = _read_jsonl if src.kind == "jsonl" else _read_warc
            for page in read(src, max_bytes, limits.max_archive_bytes):
                n += 1
                yield page
    except OSError as e:
        n += 1
        yield RawPage(src.path, b"", src.kind, error=f"unreadable: {e.strerror or e}")
    if n == 0:
        what = "response records" if src.kind == "warc" else "records"
        yield RawPage(src.path, b"", src.kind, error=f"no_records: no {what} in the file")


class _Budget(io.RawIOBase):
    """A file that ends (raising ``ArchiveTooLarge``) after ``limit`` bytes: bounds a gzip bomb."""

    def __init__(self, fh, limit: int):
        self.fh, self.left = fh, limit

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self.left <= 0:
            raise ArchiveTooLarge
        n = self.fh.readinto(memoryview(b)[:self.left])
        self.left -= n or 0
        return n

    def close(self) -> None:
        self.fh.close()
        super().close()


class ArchiveTooLarge(Exception):
    pass


def _open(path: str, max_archive: int) -> io.BufferedIOBase:
    fh = gzip.open(path, "rb") if path.lower().endswith(".gz") else open(path, "rb")
    return io.BufferedReader(_Budget(fh, max_archive))


def _bounded_line(fh, max_bytes: int) -> tuple[bytes, int]:
    """The next line up to ``max_bytes`` (b"" at the end) and the full length of that line,
    skipping what is beyond the bound without holding it."""
    line = fh.readline(max_bytes + 1)
    size = len(line)
    if size > max_bytes and not line.endswith(b"\n"):
        while True:
            more = fh.readline(1 << 20)
            size += len(more)
            if not more or more.endswith(b"\n"):
                break
    return line, size


def _read_jsonl(src: SourceFile, max_bytes: int, max_archive: int) -> Iterator[RawPage]:
    n = 0
    try:
        with _open(src.path, max_archive) as fh:
            while True:
                line, size = _bounded_line(fh, max_bytes)
                if not line:
                    return
                n += 1
                where = f"{src.path}#{n}"
                if size > max_bytes:
                    yield RawPage(where, b"", "html", error=f"too_large: {size} bytes > {max_bytes}")
                    continue
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    if not isinstance(rec, dict):
                        raise ValueError("record is not an object")
                except (ValueError, RecursionError) as e:  # RecursionError: brackets nested too deep
                    yield RawPage(where, line, "html", error=f"bad_jsonl_record: {type(e).__name__}: {e}"[:300])
                    continue
                html, text = rec.get("html"), rec.get("text")
                body = html if isinstance(html, str) and html else text
                if not isinstance(body, str) or not body:
                    yield RawPage(where, line, "html", error="bad_jsonl_record: no html or text")
                    continue
                url, fetched = rec.get("url"), rec.get("fetched_at")
                yield RawPage(where, valid_utf8(body).encode("utf-8"), "html" if body is html else "text",
                              url=valid_utf8(url) if isinstance(url, str) else None,
                              fetched_at=valid_utf8(fetched) if isinstance(fetched, str) else None)
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        yield RawPage(f"{src.path}#{n + 1}", b"", "html", error=f"corrupt_archive: {e}")
    except ArchiveTooLarge:
        yield RawPage(f"{src.path}#{n + 1}", b"", "html", error=f"too_large: archive beyond {max_archive} bytes")


PAGE_RECORDS = ("response", "resource")  # the record types that hold a page; others are crawl metadata


def _read_warc(src: SourceFile, max_bytes: int, max_archive: int) -> Iterator[RawPage]:
    """The response and resource records of a WARC (gzip per record, whole-file, or none).

    warcio parses the records and undoes ``Transfer-Encoding: chunked`` and
    ``Content-Encoding: gzip/deflate`` as a crawler's reader does; decompression of the file
    goes through the same byte budget as JSONL. A response other than 200 is a rejected page
    (``http_status``), never an article."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    n = 0
    try:
        with _open(src.path, max_archive) as fh:
            head = fh.peek(5)[:5]
            if not head:
                return
            if not head.startswith(b"WARC/"):
                yield RawPage(f"{src.path}#1", b"", "html", error="corrupt_archive: no WARC header")
                return
            for record in ArchiveIterator(fh, arc2warc=False):
                if record.rec_type not in PAGE_RECORDS:
                    continue
                n += 1
                page = _warc_page(record, f"{src.path}#{n}", max_bytes)
                yield page
                if page.error and page.error.startswith("corrupt_archive"):
                    return
    except (EOFError, gzip.BadGzipFile, zlib.error, ValueError, ArchiveLoadFailed) as e:
        yield RawPage(f"{src.path}#{n + 1}", b"", "html", error=f"corrupt_archive: {e}"[:300])
    except ArchiveTooLarge:
        yield RawPage(f"{src.path}#{n + 1}", b"", "html", error=f"too_large: archive beyond {max_archive} bytes")


def _warc_page(record, where: str, max_bytes: int) -> RawPage:
    url = record.rec_headers.get_header("WARC-Target-URI")
    fetched = record.rec_headers.get_header("WARC-Date")
    ctype = record.rec_headers.get_header("Content-Type") or ""
    declared = record.rec_headers.get_header("Content-Length") or ""
    if not declared.strip().isdigit():
        return RawPage(where, b"", "html", url=url, fetched_at=fetched,
                       error=f"corrupt_archive: Content-Length {declared[:40]!r}")
    if record.http_headers is not None:
        status = record.http_headers.get_statuscode()
        if status != "200":
            return RawPage(where, b"", "html", url=url, fetched_at=fetched,
                           error=f"http_status: {record.http_headers.protocol or 'HTTP'} {status}")
        ctype = record.http_headers.get_header("Content-Type") or ""
    if record.length is not None and record.length > max_bytes:
        return RawPage(where, b"", "html", url=url, fetched_at=fetched,
                       error=f"too_large: {record.length} bytes > {max_bytes}")
    payload = record.content_stream().read(max_bytes + 1)
    if len(payload) > max_bytes:
        return RawPage(where, b"", "html", url=url, fetched_at=fetched, error=f"too_large: more than {max_bytes} bytes")
    if getattr(record.raw_stream, "limit", 0) > 0:
        return RawPage(where, b"", "html", url=url, fetched_at=fetched, error="corrupt_archive: truncated record")
    charset = ctype.lower().split("charset=")[1].split(";")[0].strip(" \"'") if "charset=" in ctype.lower() else None
    fmt = "text" if ctype.lower().startswith("text/plain") else "html"
    return RawPage(where, payload, fmt, url=url, fetched_at=fetched, charset=charset or None)
