"""HTML page types: GBK without meta, Big5 without meta, a list body, a page with comments."""
from pathlib import Path

from pipeline.clean import clean_page
from pipeline.clean.page import extract_path, format_for, sniff_format
from pipeline.ingest.decode import decode_bytes

FIX = Path(__file__).resolve().parent / "fixtures" / "clean"


def load(name):
    text, enc = decode_bytes((FIX / name).read_bytes())
    return clean_page(text, "html"), enc


def test_gbk_page_without_meta():
    a, enc = load("gbk_no_meta.html")
    assert enc == "gb18030"
    assert a.title == "数字政府建设全面提速"
    assert a.published_at == "2023-08-03T10:12:00+08:00" and a.published_at_source == "header"
    assert a.source_raw == "人民邮电报"
    assert a.paragraphs[0].startswith("数字政府建设全面提速，") and len(a.paragraphs) == 2
    assert a.editors == ["张三"]
    assert "版权所有" not in a.body and "当前位置" not in a.body and "栏目" not in a.body


def test_big5_page_without_meta():
    a, enc = load("big5_no_meta.html")
    assert enc.startswith("big5")
    assert a.title == "數位政府建設全面提速"
    assert a.source_raw == "中央社" and a.published_at == "2023-08-03"
    assert len(a.paragraphs) == 2 and "相關新聞" not in a.body


def test_list_body_kept_and_related_dropped():
    a, _ = load("list_body.html")
    assert a.published_at == "2024-04-09T08:30:00+08:00" and a.published_at_source == "meta"
    assert len(a.paragraphs) == 5 and a.paragraphs[-1].startswith("加快新型智慧城市")
    assert "相关文章" not in a.body and "栏目" not in a.body


def test_comments_left_out_caption_set_aside():
    a, _ = load("with_comments.html")
    assert len(a.paragraphs) == 2
    assert "网友" not in a.body and "写得很好" not in a.body
    assert a.captions == ["首届数字政府建设峰会设立成果展示区。 新华社记者 王五 摄"]
    assert a.source_raw == "新华社" and a.published_at == "2023-06-01T09:00:00+08:00"


def test_future_date_refused():
    from datetime import datetime
    text = (FIX / "list_body.html").read_text("utf-8")
    a = clean_page(text, "html", fetched_at=datetime(2024, 1, 1))
    assert a.published_at is None


def test_format_by_extension_and_sniff():
    assert format_for("a/b.TXT") == "text" and format_for("x.shtml") == "html"
    assert format_for("x.dat", "<html><body><p>x</p></body></html>") == "html"
    assert sniff_format("第一行\n第二行") == "text"


def test_empty_and_broken_markup_do_not_raise():
    assert clean_page("", "html").paragraphs == []
    a = clean_page("<?xml version='1.0' encoding='utf-8'?><html><body><div><p>数字政府建设全面提速，数字技术不断升级，应用场景加速扩展。<p>第二段，政务服务一网通办。</div", "html")
    assert a.paragraphs and a.paragraphs[0].startswith("数字政府建设全面提速")


def test_extract_path_on_fixture(tmp_path):
    p = tmp_path / "page.unknown"
    p.write_bytes((FIX / "gbk_no_meta.html").read_bytes())
    d = extract_path(str(p))
    assert d["title"] == "数字政府建设全面提速" and "error" not in d
