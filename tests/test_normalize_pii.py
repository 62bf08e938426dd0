from pipeline.normalize.pii import drop_contact_blocks, redact


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
