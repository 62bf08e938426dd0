from pipeline.normalize.script import detect_script, to_simplified, traditional_share
from pipeline.normalize.text import normalize_paragraphs, normalize_text


def test_full_width_digits_and_latin_become_half_width_chinese_punctuation_stays():
    assert normalize_text("２０２３年ＡＩ大会，共有１３项。") == "2023年AI大会，共有13项。"
    assert normalize_text("占比４５％") == "占比45%"


def test_white_space():
    assert normalize_text("\u3000\u30002023 年 5 月 30 日,由\u00a0中国") == "2023年5月30日,由 中国"
    assert normalize_text("云上政府 数治政府 创新政府") == "云上政府 数治政府 创新政府"
    assert normalize_text("IOMM 数字政府") == "IOMM 数字政府"
    assert normalize_paragraphs(["  ", "一\n二", "\u200b三"]) == ["一", "二", "三"]


def test_traditional_script_detected_and_converted():
    trad = "數位政府建設發展論壇在臺北舉行，與會專家認為資料治理與電子化政府服務是關鍵。"
    assert detect_script(trad) == "traditional" and traditional_share(trad) > 0.2
    assert to_simplified(trad).startswith("数位政府建设发展论坛在台北举行")
    assert detect_script("数字政府建设发展论坛在济南举行") == "simplified"
    assert detect_script("") == "simplified"


def test_bidi_controls_are_dropped():
    """Issue 14, item 10: bidirectional controls never survive into a title or a body."""
    from pipeline.normalize.text import normalize_text

    controls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    assert normalize_text(f"数字{controls}政府\u202e建设") == "数字政府建设"
