"""Ingest: discovery, readers for every input format, hashing and decoding."""
import gzip
import hashlib
import json
import os

from pipeline.ingest import discover, read_source, shard, to_document
from pipeline.ingest.discover import SourceFile


def _warc_record(uri: str, html: bytes, wtype: str = "response") -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=gbk\r\n\r\n" + html
    head = (f"WARC/1.0\r\nWARC-Type: {wtype}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-01-02T03:04:05Z\r\n"
            f"Content-Length: {len(http)}\r\n\r\n").encode()
    return head + http + b"\r\n\r\n"


def test_discover_walks_sorted_and_skips_links_outside(tmp_path):
    (tmp_path / "in" / "b").mkdir(parents=True)
    (tmp_path / "in" / "b" / "2.html").write_text("<p>x</p>")
    (tmp_path / "in" / "1.txt").write_text("x")
    (tmp_path / "in" / "notes.md").write_text("x")
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", tmp_path / "in" / "leak.txt")
    files, skipped = discover([tmp_path / "in"])
    assert [os.path.basename(f.path) for f in files] == ["1.txt", "2.html"]
    assert skipped == [(str(tmp_path / "in" / "leak.txt"), "link_outside_input")]


def test_missing_input_is_reported(tmp_path):
    files, skipped = discover([tmp_path / "nope"])
    assert files == [] and skipped[0][1] == "input_not_found"


def test_shards_are_bounded():
    files = [SourceFile(f"/p/{i}", "text", 1000) for i in range(450)]
    shards = shard(files, max_bytes=10**9, max_files=200)
    assert [len(s) for s in shards] == [200, 200, 50]


def test_jsonl_records_and_broken_lines(tmp_path):
    p = tmp_path / "crawl.jsonl.gz"
    lines = [json.dumps({"url": "http://a.cn/1", "html": "<p>一</p>", "fetched_at": "2024-01-01T00:00:00Z"}),
             "{broken", json.dumps({"url": "http://a.cn/2", "text": "二"})]
    p.write_bytes(gzip.compress("\n".join(lines).encode()))
    pages = list(read_source(SourceFile(str(p), "jsonl", p.stat().st_size)))
    assert [(pg.fmt, pg.error is None) for pg in pages] == [("html", True), ("html", False), ("text", True)]
    assert pages[0].url == "http://a.cn/1" and pages[1].error.startswith("bad_jsonl_record")


def test_warc_responses_only_and_truncation(tmp_path):
    html = "<html><body><p>数字政府</p></body></html>".encode("gbk")
    data = _warc_record("http://x.cn/req", b"", "request") + _warc_record("http://x.cn/a", html)
    p = tmp_path / "a.warc.gz"
    p.write_bytes(gzip.compress(data))
    pages = list(read_source(SourceFile(str(p), "warc", p.stat().st_size)))
    assert len(pages) == 1 and pages[0].url == "http://x.cn/a" and pages[0].charset == "gbk"
    doc = to_document(pages[0])
    assert "数字政府" in doc.content and doc.encoding in ("gbk", "gb18030")
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(gzip.compress(data)[:-20])
    bad = list(read_source(SourceFile(str(cut), "warc", cut.stat().st_size)))
    assert bad and bad[-1].error.startswith("corrupt_archive")


def test_document_id_is_sha256_and_bad_pages_rejected(tmp_path):
    raw = "<p>政务云</p>".encode("utf-8")
    (tmp_path / "a.html").write_bytes(raw)
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "bin.html").write_bytes(b"\x89PNG\x00\x00\x00binary")
    docs = {}
    for f in discover([tmp_path])[0]:
        for page in read_source(f):
            docs[os.path.basename(page.path)] = to_document(page)
    assert docs["a.html"].id == hashlib.sha256(raw).hexdigest() and docs["a.html"].rejected is None
    assert docs["empty.html"].rejected == "empty"
    assert docs["bin.html"].rejected == "binary"


def test_gbk_without_meta_and_sidecar_url(tmp_path):
    (tmp_path / "g.html").write_bytes("<html><body><p>一网通办改革持续推进，群众办事更方便。</p></body></html>".encode("gbk"))
    (tmp_path / "pages.csv").write_text("path,url,fetched_at\ng.html,http://gov.cn/g.html,2024-03-01T08:00:00+08:00\n")
    (f,), _ = discover([tmp_path])
    doc = to_document(next(read_source(f)))
    assert "一网通办" in doc.content
    assert doc.url == "http://gov.cn/g.html" and doc.fetched_at.isoformat() == "2024-03-01T08:00:00+08:00"
