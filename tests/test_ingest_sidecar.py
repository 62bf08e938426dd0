"""Issue 14, item 10: pages.csv as people write it still gives its pages their URLs."""
import pytest

from pipeline.ingest import RawPage, sidecar, to_document


@pytest.fixture(autouse=True)
def _fresh():
    sidecar._load.cache_clear()
    yield
    sidecar._load.cache_clear()


def _page(folder, name):
    p = folder / name
    p.write_text("<p>数字政府</p>", "utf-8")
    return to_document(RawPage(str(p), p.read_bytes(), "html"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_pages_csv_in_any_encoding(tmp_path, encoding):
    (tmp_path / "pages.csv").write_bytes(
        "path,url,fetched_at\n政务.html,http://gov.example.cn/政务,2024-05-06T08:00:00+08:00\n".encode(encoding))
    assert _page(tmp_path, "政务.html").url == "http://gov.example.cn/政务"


def test_dot_slash_paths_hash_names_and_huge_fields(tmp_path):
    long_url = "http://gov.example.cn/?" + "q" * 200_000
    (tmp_path / "pages.csv").write_text(
        "path,url,fetched_at\n./a.html,http://a.cn/a,\nb#2.html,http://a.cn/b,\n"
        f"c.html,{long_url},\n\"broken,\"x\n", "utf-8")
    assert _page(tmp_path, "a.html").url == "http://a.cn/a"
    assert _page(tmp_path, "b#2.html").url == "http://a.cn/b"
    assert _page(tmp_path, "c.html").url == long_url


def test_archive_records_do_not_look_in_pages_csv(tmp_path):
    (tmp_path / "pages.csv").write_text("path,url\nx.warc,http://a.cn/x\n", "utf-8")
    doc = to_document(RawPage(str(tmp_path / "x.warc#1"), b"<p>x</p>", "html"))
    assert doc.url is None
