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
MAX_HEADER_LINE = 65_536  # a WARC header line longer than this is no header


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


def _headers(block: bytes) -> dict[str, str]:
    out = {}
    for line in block.decode("utf-8", "replace").split("\r\n")[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            out[k.strip().lower()] = v.strip()
    return out


def _read_warc(src: SourceFile, max_bytes: int, max_archive: int) -> Iterator[RawPage]:
    """WARC/1.x response records (gzip per record or whole-file); other record types skipped."""
    n = 0
    try:
        with _open(src.path, max_archive) as fh:
            while True:
                line = fh.readline(MAX_HEADER_LINE)
                if not line:
                    return
                if not line.strip():
                    continue
                if not line.startswith(b"WARC/"):
                    yield RawPage(f"{src.path}#{n + 1}", b"", "html", error="corrupt_archive: no WARC header")
                    return
                head = line
                while True:
                    h = fh.readline(MAX_HEADER_LINE)
                    if not h or len(head) > 64 * MAX_HEADER_LINE:
                        yield RawPage(f"{src.path}#{n + 1}", b"", "html", error="corrupt_archive: truncated header")
                        return
                    if h in (b"\r\n", b"\n"):
                        break
                    head += h
                hdr = _headers(head.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
                length = int(hdr.get("content-length", "0") or 0)
                if length < 0:
                    raise ValueError(f"negative Content-Length {length}")
                if length > max_bytes:
                    skipped = _skip(fh, length)
                    if skipped < length:
                        yield RawPage(f"{src.path}#{n + 1}", b"", "html", error="corrupt_archive: truncated record")
                        return
                    if hdr.get("warc-type") == "response":
                        n += 1
                        yield RawPage(f"{src.path}#{n}", b"", "html", error=f"too_large: {length} bytes > {max_bytes}")
                    continue
                block = fh.read(length)
                if len(block) < length:
                    yield RawPage(f"{src.path}#{n + 1}", b"", "html", error="corrupt_archive: truncated record")
                    return
                if hdr.get("warc-type") != "response":
                    continue
                n += 1
                where = f"{src.path}#{n}"
                http_head, _, payload = block.partition(b"\r\n\r\n")
                charset = None
                for hl in http_head.split(b"\r\n"):
                    if hl.lower().startswith(b"content-type:") and b"charset=" in hl.lower():
                        charset = hl.lower().split(b"charset=")[1].split(b";")[0].strip().decode("ascii", "ignore")
                yield RawPage(where, payload, "html", url=hdr.get("warc-target-uri"),
                              fetched_at=hdr.get("warc-date"), charset=charset)
    except (EOFError, gzip.BadGzipFile, zlib.error, ValueError) as e:
        yield RawPage(f"{src.path}#{n + 1}", b"", "html", error=f"corrupt_archive: {e}")
    except ArchiveTooLarge:
        yield RawPage(f"{src.path}#{n + 1}", b"", "html", error=f"too_large: archive beyond {max_archive} bytes")


def _skip(fh, length: int) -> int:
    """Read past ``length`` bytes in chunks; how many there were."""
    done = 0
    while done < length:
        chunk = fh.read(min(1 << 20, length - done))
        if not chunk:
            break
        done += len(chunk)
    return done
