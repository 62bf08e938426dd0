from datetime import date, datetime

import pytest

from pipeline.normalize.dates import SHANGHAI, as_of_date, infer_year, parse_date_mentions, parse_published


def one(text, pub=None):
    ms = parse_date_mentions(text, pub)
    assert len(ms) == 1, ms
    return ms[0]


@pytest.mark.parametrize("text,expected,kind", [
    ("2023 年 5 月 30 日,由中国信息通信研究院", date(2023, 5, 30), "full"),
    ("时间 : 2021-11-28 16:23:59 来源", date(2021, 11, 28), "full"),
    ("2022年3月,国家政务数据共享协调小组成立", date(2022, 3, 1), "month"),
    ("截至2022年底,全国一体化政务服务平台", date(2022, 12, 31), "as_of"),
    ("截至2023年5月底,全国已有21个省份", date(2023, 5, 31), "as_of"),
])
def test_full_month_and_as_of_dates(text, expected, kind):
    m = one(text)
    assert (m.date, m.kind) == (expected, kind)


def test_yearless_date_takes_the_year_before_when_it_would_follow_publication():
    # seed 002: republished 2024-02-20, the forum was on 4月8日 → 2023-04-08
    assert one("4月8日,由中央党校(国家行政学院)和山东省人民政府主办", date(2024, 2, 20)).date == date(2023, 4, 8)
    # seed 001: published 2021-11-28, 11月26日 is two days earlier
    assert one("11月26日,由中央党校", date(2021, 11, 28)).date == date(2021, 11, 26)
    assert infer_year(12, 31, date(2024, 1, 2)) == 2023
    assert parse_date_mentions("4月8日举行", None) == []


def test_span_of_years():
    m = one("从2012-2022的十年间,我国电子政务国际排名")
    assert (m.kind, m.date, m.until) == ("span", date(2012, 1, 1), date(2022, 12, 31))


@pytest.mark.parametrize("text", [
    "大数据产业业务收入占全国比重达到1/8;", "法国6-3小组头名出线", "营业收入9363 83万元", "累计开通5G基站16万个",
    "8—9月是秋粮作物产量形成的重要时节", "共有13项企业的数字政府产品",
])
def test_fractions_scores_and_bare_numbers_are_not_dates(text):
    assert parse_date_mentions(text, date(2023, 8, 3)) == []


def test_as_of_date_of_a_quantity():
    assert as_of_date("截至2023年5月,我国数字政府应用场景建设项目累计超过万个") == date(2023, 5, 31)
    assert as_of_date("2022年全省数字化的经济总量突破3.9万亿元") == date(2022, 12, 31)
    assert as_of_date("自2019年起,累计减少证明材料2955万份") is None
    assert as_of_date("目前,全省推行直接取消和告知承诺事项1098项") is None


def test_published_is_tz_aware_shanghai():
    dt = parse_published("2024-02-20 18:52:52")
    assert dt == datetime(2024, 2, 20, 18, 52, 52, tzinfo=SHANGHAI) and dt.utcoffset().total_seconds() == 8 * 3600
    assert parse_published("2023-05-30").isoformat() == "2023-05-30T00:00:00+08:00"
    assert parse_published("2021-11-28T08:23:59+00:00").hour == 16
    assert parse_published("2022年11月1日 10:08") == datetime(2022, 11, 1, 10, 8, tzinfo=SHANGHAI)
    assert parse_published(None) is None and parse_published("不是日期") is None
