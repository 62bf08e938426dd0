import re

import pytest

from pipeline.normalize.pii import drop_contact_blocks, fold, redact


def test_phones_emails_ids_and_qq_are_replaced_and_counted():
    text, c = redact("吴佳兴 17610059551 wujiaxing@caict.ac.cn;电话:010-62302222;传真 (010)62300000")
    assert "17610059551" not in text and "caict.ac.cn" not in text and "62302222" not in text
    assert c == {"phone": 3, "email": 1, "id_number": 0, "qq": 0}
    text, c = redact("如有侵权请联系QQ:3187884295进行反馈,身份证号110105199003071234")
    assert text == "如有侵权请联系QQ:[QQ]进行反馈,身份证号[身份证号]" and c["qq"] == 1 and c["id_number"] == 1
    assert redact("服务热线400-810-8888")[1]["phone"] == 1


def test_numbers_that_are_not_pii_are_kept():
    for s in ["5.1亿余次", "累计开通5G基站16万个", "12345热线", "比重达到1/8", "2023-08-02 16:55:45",
              "营业收入1600000000000元", "证书编号20230530123456"]:
        assert redact(s) == (s, {"phone": 0, "email": 0, "id_number": 0, "qq": 0}), s


def test_officials_names_are_not_pii():
    s = "中国信通院副院长王志勤出席会议并致辞"
    assert redact(s)[0] == s


def test_contact_block_is_dropped_whole():
    paras = ["未来,中国信通院将继续发挥行业平台作用。", "联系人:", "吴佳兴 17610059551 wujiaxing@caict.ac.cn",
             "张琳琳 13811792291 zhanglinlin1@caict.ac.cn", "评论"]
    kept, n, held = drop_contact_blocks(paras)
    assert kept == ["未来,中国信通院将继续发挥行业平台作用。", "评论"]
    assert n == 3 and held["phone"] == 2 and held["email"] == 2
    assert drop_contact_blocks(["正文。"]) == (["正文。"], 0, {"phone": 0, "email": 0, "id_number": 0, "qq": 0})


# Issue 14, item 3: the variants people write, each in a sentence; redaction finds every one and
# the validation patterns (the same file) flag every one left unredacted.
VARIANTS = {
    "email": ["联系邮箱：zhang.san＠example.com。", "请发至 zhang.san @ example.com 报名", "邮箱zhang.san[at]example.com",
              "来信请寄wang(at)gov[dot]cn", "邮箱：user@政府.中国，欢迎来信"],
    "qq": ["加入QQ群号：123456789咨询", "QQ/微信：123456789", "他的QQ号码是123456789", "QQ 1234 5678 9", "微信/QQ：3187884295"],
    "id_number": ["身份证号110105 19491231 002X已登记", "身份证号110105-1949-1231-002X", "证件号 110105 1949 1231 002X"],
    "phone": ["手机138.1234.5678", "手机138—1234—5678", "手机138–1234–5678", "手机1 3 8 1 2 3 4 5 6 7 8",
              "电话029 6002 1109", "电话：（029）6002 1109", "手机：１３８１２３４５６７８", "热线400 810 8888"],
}


@pytest.mark.parametrize("kind,text", [(k, t) for k, ts in VARIANTS.items() for t in ts])
def test_written_variants_are_redacted_and_validation_sees_them(kind, text):
    from pipeline.validate.patterns import pii_patterns

    out, counts = redact(text)
    assert counts[kind] == 1, (out, counts)
    if kind != "email":
        assert sum(c.isdigit() for c in out) <= sum(c.isdigit() for c in text) - 5, out
    assert any(re.search(p, fold(text)) for p in pii_patterns().values())
    assert not any(re.search(p, out) for p in pii_patterns().values())


def test_query_strings_and_sources_are_redacted():
    out, c = redact("http://a.cn/x?tel=13812345678&mail=a@b.com")
    assert out == "http://a.cn/x?tel=[电话]&mail=[邮箱]" and c["phone"] == 1 and c["email"] == 1
