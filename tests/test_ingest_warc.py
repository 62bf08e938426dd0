"""Issue 14, item 6: WARC files as crawlers write them. Chunked and compressed HTTP payloads are
decoded, every response or resource record is counted, and a response other than 200 is a
rejected page with its status."""
import gzip
import zlib

import pytest

from pipeline.ingest import SourceFile, read_source
from pipeline.ingest.decode import decode_bytes

HTML = "<html><head><title>数字政府</title></head><body><p>一网通办让群众办事更方便。</p></body></html>".encode()


def _record(payload: bytes, *, status: str = "200 OK", headers: str = "Content-Type: text/html; charset=utf-8",
            wtype: str = "response", uri: str = "http://gov.example.cn/a.html") -> bytes:
    if wtype == "response":
        block = f"HTTP/1.1 {status}\r\n{headers}\r\n\r\n".encode() + payload
        ctype = "application/http; msgtype=response"
    else:
        block, ctype = payload, "text/html; charset=utf-8"
    head = (f"WARC/1.0\r\nWARC-Type: {wtype}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-03-04T05:06:07Z\r\n"
            f"Content-Type: {ctype}\r\nContent-Length: {len(block)}\r\n\r\n").encode()
    return head + block + b"\r\n\r\n"


def _pages(tmp_path, data: bytes, name="c.warc"):
    p = tmp_path / name
    p.write_bytes(data)
    return list(read_source(SourceFile(str(p), "warc", p.stat().st_size)))


def _chunked(data: bytes, size: int = 7) -> bytes:
    parts = [data[i:i + size] for i in range(0, len(data), size)]
    return b"".join(b"%x\r\n" % len(c) + c + b"\r\n" for c in parts) + b"0\r\n\r\n"


@pytest.mark.parametrize("gz", [False, True])
def test_chunked_payload_is_dechunked(tmp_path, gz):
    rec = _record(_chunked(HTML), headers="Content-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked")
    (page,) = _pages(tmp_path, gzip.compress(rec, mtime=0) if gz else rec, "c.warc.gz" if gz else "c.warc")
    assert page.error is None and page.raw == HTML
    assert decode_bytes(page.raw, page.charset)[0] == HTML.decode()


@pytest.mark.parametrize("encoding,compress", [("gzip", lambda b: gzip.compress(b, mtime=0)),
                                               ("deflate", zlib.compress)])
def test_content_encoding_is_undone(tmp_path, encoding, compress):
    rec = _record(compress(HTML), headers=f"Content-Type: text/html; charset=utf-8\r\nContent-Encoding: {encoding}")
    (page,) = _pages(tmp_path, rec)
    assert page.error is None and page.raw == HTML


@pytest.mark.parametrize("status", ["404 Not Found", "301 Moved Permanently", "500 Internal Server Error"])
def test_non_200_response_is_rejected_with_its_status(tmp_path, status):
    (page,) = _pages(tmp_path, _record(HTML, status=status))
    assert page.error == f"http_status: HTTP/1.1 {status.split()[0]}"
    assert page.url == "http://gov.example.cn/a.html"


def test_resource_record_is_a_page_and_other_records_are_not(tmp_path):
    data = (_record(b"GET / HTTP/1.1\r\n\r\n", wtype="request") + _record(HTML, wtype="resource")
            + _record(HTML, uri="http://gov.example.cn/b.html"))
    pages = _pages(tmp_path, data)
    assert [p.error for p in pages] == [None, None]
    assert [p.path.rsplit("#", 1)[1] for p in pages] == ["1", "2"]
    assert pages[0].raw == HTML and pages[0].charset == "utf-8"


def test_content_length_past_the_end_is_a_truncated_record(tmp_path):
    rec = _record(HTML)
    cut = rec[: len(rec) - 40]
    (page,) = _pages(tmp_path, cut)
    assert page.error and page.error.startswith("corrupt_archive")
