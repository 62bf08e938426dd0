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

from pipeline.ingest.discover import SourceFile

MAX_PAGE_BYTES = 20_000_000


@dataclass
class RawPage:
    path: str
    raw: bytes
    fmt: str  # html | text
    url: str | None = None
    fetched_at: str | None = None
    charset: str | None = None  # from the HTTP header, when an archive kept it
    error: str | None = None


def read_source(src: SourceFile, max_bytes: int = MAX_PAGE_BYTES) -> Iterator[RawPage]:
    try:
        if src.kind in ("html", "text"):
            if src.size > max_bytes:
                yield RawPage(src.path, b"", src.kind, error=f"too_large: {src.size} bytes > {max_bytes}")
                return
            with open(src.path, "rb") as fh:
                yield RawPage(src.path, fh.read(), src.kind)
        elif src.kind == "jsonl":
            yield from _read_jsonl(src, max_bytes)
        elif src.kind == "warc":
            yield from _read_warc(src, max_bytes)
    except OSError as e:
        yield RawPage(src.path, b"", src.kind, error=f"unreadable: {e.strerror or e}")


def _open(path: str) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if path.lower().endswith(".gz") else open(path, "rb")


def _read_jsonl(src: SourceFile, max_bytes: int) -> Iterator[RawPage]:
    n = 0
    try:
        with _open(src.path) as fh:
            for n, line in enumerate(fh, 1):
                where = f"{src.path}#{n}"
                if not line.strip():
                    continue
                if len(line) > max_bytes:
                    yield RawPage(where, b"", "html", error=f"too_large: {len(line)} bytes > {max_bytes}")
                    continue
                try:
                    rec = json.loads(line)
                    if not isinstance(rec, dict):
                        raise ValueError("record is not an object")
                except ValueError as e:
                    yield RawPage(where, line, "html", error=f"bad_jsonl_record: {e}")
                    continue
                html, text = rec.get("html"), rec.get("text")
                body = html if isinstance(html, str) and html else text
                if not isinstance(body, str) or not body:
                    yield RawPage(where, line, "html", error="bad_jsonl_record: no html or text")
                    continue
                yield RawPage(where, body.encode("utf-8", "surrogatepass"), "html" if body is html else "text",
                              url=rec.get("url") if isinstance(rec.get("url"), str) else None,
                              fetched_at=rec.get("fetched_at") if isinstance(rec.get("fetched_at"), str) else None)
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        yield RawPage(f"{src.path}#{n + 1}", b"", "html", error=f"corrupt_archive: {e}")


def _headers(block: bytes) -> dict[str, str]:
    out = {}
    for line in block.decode("utf-8", "replace").split("\r\n")[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            out[k.strip().lower()] = v.strip()
    return out


def _read_warc(src: SourceFile, max_bytes: int) -> Iterator[RawPage]:
    """WARC/1.x response records (gzip per record or whole-file); other record types skipped."""
    n = 0
    try:
        with _open(src.path) as fh:
            while True:
                line = fh.readline()
                if not line:
                    return
                if not line.strip():
                    continue
                if not line.startswith(b"WARC/"):
                    yield RawPage(f"{src.path}#{n + 1}", b"", "html", error="corrupt_archive: no WARC header")
                    return
                head = line
                while True:
                    h = fh.readline()
                    if not h:
                        yield RawPage(f"{src.path}#{n + 1}", b"", "html", error="corrupt_archive: truncated header")
                        return
                    if h in (b"\r\n", b"\n"):
                        break
                    head += h
                hdr = _headers(head.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
                length = int(hdr.get("content-length", "0") or 0)
                block = fh.read(length)
                if len(block) < length:
                    yield RawPage(f"{src.path}#{n + 1}", b"", "html", error="corrupt_archive: truncated record")
                    return
                if hdr.get("warc-type") != "response":
                    continue
                n += 1
                where = f"{src.path}#{n}"
                if length > max_bytes:
                    yield RawPage(where, b"", "html", error=f"too_large: {length} bytes > {max_bytes}")
                    continue
                http_head, _, payload = block.partition(b"\r\n\r\n")
                charset = None
                for hl in http_head.split(b"\r\n"):
                    if hl.lower().startswith(b"content-type:") and b"charset=" in hl.lower():
                        charset = hl.lower().split(b"charset=")[1].split(b";")[0].strip().decode("ascii", "ignore")
                yield RawPage(where, payload, "html", url=hdr.get("warc-target-uri"),
                              fetched_at=hdr.get("warc-date"), charset=charset)
    except (EOFError, gzip.BadGzipFile, zlib.error, ValueError) as e:
        yield RawPage(f"{src.path}#{n + 1}", b"", "html", error=f"corrupt_archive: {e}")
