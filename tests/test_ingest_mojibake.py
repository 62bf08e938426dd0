"""Issue 14, item 7: no silent mojibake. What can be repaired is repaired; what lost
characters is flagged ``lossy_decode``."""
import pytest

from pipeline.ingest import RawPage, to_document
from pipeline.ingest.decode import decode_bytes, is_lossy

TEXT = ("数字政府建设持续推进，一网通办让群众办事更方便。政务服务事项全部实现网上可办，"
        "电子证照共享应用不断深化，数据要素市场化配置改革稳步推进。")


@pytest.mark.parametrize("wrong,errors", [("gbk", "replace"), ("gbk", "ignore"), ("latin-1", "strict"),
                                          ("cp1252", "replace")])
def test_utf8_once_decoded_wrongly_and_saved_again_is_repaired(wrong, errors):
    saved = TEXT.encode("utf-8").decode(wrong, errors).encode("utf-8")
    text, enc = decode_bytes(b"<p>" + saved + b"</p>")
    assert enc.endswith("+mojibake-repaired")
    recovered = sum(c in text for c in set(TEXT)) / len(set(TEXT))
    assert recovered >= (1.0 if errors == "strict" else 0.75), (recovered, text)


def test_gbk_read_as_latin1_is_repaired():
    text, enc = decode_bytes(TEXT.encode("gbk").decode("latin-1").encode("utf-8"))
    assert text == TEXT and enc.endswith("+mojibake-repaired")


def test_utf8_page_with_a_gbk_part_is_read_in_both():
    raw = ("<html><body><p>" + TEXT + "</p>\n<p>").encode() + TEXT.encode("gbk") + b"</p></body></html>"
    text, enc = decode_bytes(raw)
    assert enc == "utf-8+gb18030" and text.count(TEXT) == 2 and not is_lossy(text, enc)


def test_what_is_lost_is_flagged_lossy_decode():
    lossy = TEXT.encode("utf-8").decode("gbk", "replace").encode("utf-8")  # the wrong decode lost bytes
    doc = to_document(RawPage("p.html", b"<p>" + lossy + b"</p>", "html"))
    assert "lossy_decode" in doc.flags and "数字政府" in doc.content
    clean = to_document(RawPage("q.html", ("<p>" + TEXT + "</p>").encode(), "html"))
    assert clean.flags == []


def test_chinese_prose_is_never_repaired():
    for raw in (TEXT.encode("utf-8"), TEXT.encode("gbk"), TEXT.encode("big5", "ignore")):
        assert "mojibake" not in decode_bytes(raw)[1]
