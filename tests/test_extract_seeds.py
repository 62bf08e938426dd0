"""Extraction on the five seeds (hand-cut articles in labels/seed_articles.json)."""
from datetime import date

import pytest

from pipeline.extract import extract_records
from test_normalize_document import seed_docs


@pytest.fixture(scope="module")
def docs():
    return {k: extract_records(d) for k, d in seed_docs().items()}


def people(d):
    return {(p["name"], p["title"], p["organization_raw"]) for p in d.records["people"]}


def test_one_row_per_person_and_role(docs):
    for d in docs.values():
        keys = [(p["name"], p["role"]) for p in d.records["people"]]
        assert len(keys) == len(set(keys))
        keys = [(s["evidence"], s["raw"]) for s in d.records["statistics"]]
        assert len(keys) == len(set(keys))


def test_people_with_titles(docs):
    p0 = people(docs["000"])
    assert ("王志勤", "副院长", "中国信通院") in p0
    assert ("于贵", "党组书记、局长", "达州市数字经济局") in p0
    assert ("文倩", "副处长", "工业和信息化部办公厅电子政务处") in p0
    assert ("栗蔚", "副所长", "中国信通院云计算与大数据研究所") in p0
    assert {n for n, _, _ in p0} == {"王志勤", "文倩", "汪玉凯", "栗蔚", "徐恩庆", "贾占朝", "于贵", "贺超", "张宝玉", "龙志中"}
    p2 = people(docs["002"])
    assert ("曹淑敏", "中央网络安全和信息化委员会办公室副主任、国家互联网信息办公室副主任",
            "中央网络安全和信息化委员会办公室") in p2
    assert ("黄璜", "副院长", "北京大学政府管理学院") in p2
    assert {p for p in people(docs["003"]) if p[1]} == {("陈宏曲", "主任", "国务院办公厅电子政务办公室")}
    assert docs["003"].records["people"][0]["role"] == "author"


def test_organizations_canonical_and_roles(docs):
    wang = next(p for p in docs["000"].records["people"] if p["name"] == "王志勤")
    assert wang["organization"] == "中国信息通信研究院" and wang["role"] == "speaker"
    orgs = {o["name"]: o for o in docs["000"].records["organizations"]}
    assert orgs["中国信息通信研究院"]["aliases"] == ["中国信通院"] and orgs["中国信息通信研究院"]["type"] == "research"
    assert "中国信息通信研究院云计算与大数据研究所" in orgs


def test_no_person_from_contact_block_or_captions(docs):
    names = {p["name"] for d in docs.values() for p in d.records["people"]}
    assert not names & {"吴佳兴", "张琳琳", "冯芸清"}


def test_events(docs):
    e0, = docs["000"].records["events"]
    assert (e0["date"], e0["city"], e0["region_code"], e0["venue"]) == (date(2023, 5, 30), "北京", "110000", "北京国宾酒店")
    assert e0["organizers"] == ["中国信息通信研究院", "中国通信标准化协会"]
    assert e0["co_organizers"] == ["中国通信标准化协会云计算标准和开源推进委员会"]
    assert e0["theme"] == "云上政府 数治政府 创新政府"
    e1, = docs["001"].records["events"]
    assert (e1["edition"], e1["date"], e1["city"]) == (16, date(2021, 11, 26), "广州")
    assert e1["organizers"] == ["中共中央党校(国家行政学院)", "广东省人民政府"]
    e2, = docs["002"].records["events"]
    assert (e2["edition"], e2["date"], e2["city"], e2["region_code"]) == (17, date(2023, 4, 8), "济南", "370100")
    assert e2["organizers"] == ["中共中央党校(国家行政学院)", "山东省人民政府"]
    assert e2["theme"] == "加快数字政府建设 驱动引领中国式现代化"


def test_all_book_titles(docs):
    titles = {k: [x["title"] for x in d.records["documents"]] for k, d in docs.items()}
    assert titles["000"] == ["政务云创新实践案例集(2023年)", "2023数字政府十大关键词", "数字政府发展制约因素分析",
                             "安全可信政务云一体化建设白皮书", "IOMM 数字政府标准体系", "激发数据要素价值,赋能数字政府建设",
                             "数字新达州,奋进新时代"]
    assert titles["003"] == ["“十四五”国家信息化规划", "国务院关于加强数字政府建设的指导意见"]
    assert titles["004"] == ["数字中国建设整体布局规划", "数字政府蓝皮报告"]
    types = {x["title"]: x["doc_type"] for d in docs.values() for x in d.records["documents"]}
    assert types["安全可信政务云一体化建设白皮书"] == "white_paper" and types["国务院关于加强数字政府建设的指导意见"] == "policy"
    assert types["数字新达州,奋进新时代"] == "speech" and types["IOMM 数字政府标准体系"] == "standard"


def test_statistics_values_exact(docs):
    rows = docs["002"].records["statistics"]
    got = {(r["raw"], r["value"], r["unit"], r["qualifier"]) for r in rows}
    assert ("突破3.9万亿元", 3.9e12, "元", ">") in got
    assert ("5.1亿余次", 5.1e8, "次", ">") in got
    assert ("90%以上", 0.9, "%", ">=") in got
    assert ("1/8", 0.125, "%", "=") in got
    change = [r for r in rows if r["raw"] in ("从78位", "上升到43位")]
    assert [(r["value"], r["as_of"]) for r in change] == [(78.0, date(2012, 1, 1)), (43.0, date(2022, 12, 31))]
    users = next(r for r in rows if r["raw"] == "超过10亿人")
    assert users["as_of"] == date(2022, 12, 31) and users["value"] == 1e9
    assert not any(r["unit"] == "个" and r["value"] == 5 for r in rows)  # 5G is not a statistic


def test_quotes(docs):
    q = docs["001"].records["quotes"]
    zhang = next(x for x in q if x["speaker"] == "张望")
    assert zhang["kind"] == "direct" and zhang["text"].startswith("从政务上网工程到“最多跑一次”")
    wang = next(x for x in docs["000"].records["quotes"] if x["speaker"] == "汪玉凯")  # 他表示
    assert wang["kind"] == "indirect" and wang["text"].startswith("我国历经")
    assert {x["speaker"] for x in docs["004"].records["quotes"]} == {"汪玉凯", "张楠", "任利华"}


def test_regions_keywords_topic(docs):
    assert docs["002"].metadata["region_codes"][:2] == ["370100", "370000"]
    assert "511700" in docs["000"].metadata["region_codes"]  # 达州市
    assert "371621" not in docs["002"].metadata["region_codes"]  # 惠民县: 利企惠民 is no place
    assert docs["003"].metadata["region_codes"] == []
    for d in docs.values():
        assert "数字政府" in d.metadata["keywords"] and d.metadata["topic_score"] > 0.9


def test_deterministic():
    a = {k: d.records for k, d in ((k, extract_records(d)) for k, d in seed_docs().items())}
    b = {k: d.records for k, d in ((k, extract_records(d)) for k, d in seed_docs().items())}
    assert a == b
