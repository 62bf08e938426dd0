from pipeline.normalize.sources import clean_raw, guess_type, host, is_spam, lookup, resolve

BODY_002 = ("4月8日,由中央党校(国家行政学院)和山东省人民政府主办的第十七届中国电子政务论坛暨数字变革创新峰会在济南举行,"
            "来自全国的专家学者济济一堂。新黄河记者从现场获悉,去年,山东数字化的经济总量突破3.9万亿元")
DISCLAIMER = ("特别提示:凡注明“来源”或“转自”的内容均自于互联网,属第三方汇集推荐平台,版权归原作者及原出处所有。"
              "不代表中国经济形势报告网的观点和立场。")


def test_registry_names_aliases_and_domains():
    assert lookup("南都").name == "南方都市报"
    assert lookup("中国信通院").type == "research"
    assert lookup("人民邮电报").type == "central_media" and lookup("某某不存在的网") is None
    assert clean_raw("来源:人民邮电报") == "人民邮电报" and clean_raw("学习时报 / ") == "学习时报"
    assert host("https://www.cnii.com.cn/a.html") == "cnii.com.cn" and host(None) is None


def test_spam_source_is_replaced_by_the_outlet_the_text_names():
    info = resolve("米乐m6体育官网", BODY_002)
    assert info.source == "新黄河" and info.type == "local_media"
    assert info.source_raw == "米乐m6体育官网"
    assert "spam_source" in info.flags and "reprint" in info.flags
    assert is_spam("开云体育app") and not is_spam("南方都市报")


def test_spam_source_without_a_named_outlet_gives_no_source():
    info = resolve("米乐m6体育官网", "山东数字化的经济总量突破3.9万亿元。")
    assert info.source is None and info.flags == ["spam_source"]


def test_reprint_by_disclaimer_and_by_site():
    info = resolve("学习时报", "正文", None, DISCLAIMER)
    assert info.source == "学习时报" and info.type == "central_media" and info.flags == ["reprint"]
    assert info.site is None  # a site is a host name, never the name a disclaimer gives
    assert resolve("人民邮电报", "正文", "https://fashion.example.com/1.html").flags == ["reprint"]
    own = resolve("人民邮电报", "正文", "https://www.cnii.com.cn/1.html")
    assert own.flags == [] and own.site == "cnii.com.cn"


def test_source_from_contact_domain_and_unknown_outlets():
    assert resolve(None, "正文", None, "联系人:张三 zhang@caict.ac.cn").source == "中国信息通信研究院"
    assert guess_type("某某市大数据局") == "government" and guess_type("某某晚报") == "local_media"
    assert resolve("某某在线", "正文").type == "portal"


def test_a_source_in_traditional_script_is_the_same_source():
    """Issue 15: 新華網 and 新华网 are one source, named in Simplified script."""
    from pipeline.normalize.sources import resolve

    assert resolve("新華網", "正文").source == resolve("新华网", "正文").source
    assert resolve("自由時報", "正文").source == "自由时报"
