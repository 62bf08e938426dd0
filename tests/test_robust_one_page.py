"""Issue 14, item 1: nothing one page does stops a run. Every exception a page raises, at
ingest and decoding too, ends as a rejected row with a reason, and the other pages go on."""
import json

import pytest

from pipeline.ingest import discover
from pipeline.ingest.decode import decode_bytes, page_charset, valid_utf8
from pipeline.run.stages import process_files
from pipeline.tables import to_arrow

GOOD = "数字政府建设持续推进，一网通办让群众办事更方便。" * 20


def _run(folder):
    files, _ = discover([str(folder)])
    return process_files(files, {"min_topic_score": 0})


def _good(tmp_path, name="good.txt"):
    (tmp_path / name).write_text(f"数字政府标题\n发布时间：2024-05-06\n{GOOD}", "utf-8")


def test_deeply_nested_jsonl_line_is_a_bad_record(tmp_path):
    (tmp_path / "deep.jsonl").write_text("[" * 100_000 + "]" * 100_000 + "\n" + json.dumps({"text": GOOD}))
    r = _run(tmp_path)
    assert r.pages_in == 2
    assert [x["reason"] for x in r.rejected] == ["bad_jsonl_record"]
    assert "RecursionError" in r.rejected[0]["detail"]


@pytest.mark.parametrize("codec", ["hex", "zlib", "idna", "undefined", "punycode", "base64", "utf-7"])
def test_non_text_codecs_are_never_used(codec):
    raw = f'<meta charset="{codec}"><p>'.encode() + "数字政府".encode("gbk") + b"\x80\xff</p>"
    assert page_charset(codec) is None
    text, enc = decode_bytes(raw)
    assert "数字政府" in text and not enc.startswith(codec)
    text, enc = decode_bytes(raw, declared=codec)  # as a WARC's Content-Type would say it
    assert "数字政府" in text


def test_text_codecs_still_honoured():
    assert page_charset("GBK") == "gb18030"
    assert page_charset("Big5") == "big5hkscs"
    assert page_charset("no-such-charset") is None


def test_a_reader_that_raises_rejects_its_file_and_the_next_file_goes_on(tmp_path, monkeypatch):
    import pipeline.run.stages as stages

    _good(tmp_path, "a.txt")
    _good(tmp_path, "b.txt")
    real = stages.read_source

    def flaky(src, **kw):
        if src.path.endswith("a.txt"):
            raise MemoryError("simulated")
        return real(src, **kw)

    monkeypatch.setattr(stages, "read_source", flaky)
    r = _run(tmp_path)
    assert r.pages_in == 2
    assert [(x["reason"], x["stage"]) for x in r.rejected] == [("ingest_error", "ingest")]
    assert "MemoryError" in r.rejected[0]["detail"]
    assert len(r.kept) == 1


def test_a_page_whose_decoding_raises_is_rejected(tmp_path, monkeypatch):
    import pipeline.ingest as ingest

    _good(tmp_path)
    monkeypatch.setattr(ingest, "decode_bytes", lambda raw, charset=None: (_ for _ in ()).throw(ValueError("boom")))
    r = _run(tmp_path)
    assert r.pages_in == 1 and not r.kept
    assert r.rejected[0]["reason"] == "ingest_error" and "boom" in r.rejected[0]["detail"]


def test_lone_surrogates_never_reach_a_table(tmp_path):
    (tmp_path / "s.jsonl").write_text(
        '{"url": "http://a.cn/\\ud800", "text": "数字政府标题\\n发布时间：2024-05-06\\n\\udfff' + GOOD + '"}\n')
    r = _run(tmp_path)
    assert r.pages_in == 1
    page = r.kept[0] if r.kept else r.rejected[0]
    assert valid_utf8(page["url"]) == page["url"] == "http://a.cn/\ufffd"
    assert valid_utf8("a\ud800b") == "a\ufffdb"
    table = to_arrow("rejected", [{"page_id": "x", "path": "p\udc80", "url": "http://a.cn/\ud800", "stage": "ingest",
                                   "reason": "r", "detail": "\udfff"}])
    assert table.column("url")[0].as_py() == "http://a.cn/\ufffd"
