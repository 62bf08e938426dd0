"""Each table's function on small texts: the rules one at a time."""
from datetime import date

import pytest

from pipeline.extract.documents import doc_type, extract_documents
from pipeline.extract.events import cn_number, extract_events
from pipeline.extract.keywords import extract_keywords, topic_score
from pipeline.extract.organizations import canonical, extract_organizations, org_type, text_aliases
from pipeline.extract.people import extract_people, name_at
from pipeline.extract.quotes import extract_quotes
from pipeline.extract.regions import code_for, extract_region_codes
from pipeline.extract.sentences import split_sentences
from pipeline.extract.statistics import extract_statistics


def test_name_boundaries():
    assert name_at("局长于贵发表《数字新达州》", 2) == "于贵"
    assert name_at("副院长黄璜认为,数字政府", 3) == "黄璜"
    assert name_at("副秘书长李军华在视频致辞时表示", 4) == "李军华"
    assert name_at("主任周民建议,", 2) == "周民"
    assert name_at("局长会议", 2) is None


def test_people_chains_and_author_line():
    rows = extract_people(["中央网络安全和信息化委员会办公室副主任、国家互联网信息办公室副主任曹淑敏介绍,成效显著。"])
    assert [(r["name"], r["organization_raw"], r["title"]) for r in rows] == [
        ("曹淑敏", "中央网络安全和信息化委员会办公室", "中央网络安全和信息化委员会办公室副主任、国家互联网信息办公室副主任")]
    rows = extract_people(["达州市数字经济局党组书记、局长于贵发表主题演讲。", "局长于贵表示,要加快建设。"])
    assert [(r["name"], r["organization_raw"], r["title"], r["role"]) for r in rows] == [
        ("于贵", "达州市数字经济局", "党组书记、局长", "speaker")]
    rows = extract_people(["开幕式由中国信通院云计算与大数据研究所副所长栗蔚主持。"], aliases={"中国信通院": "中国信息通信研究院"})
    assert rows[0]["organization"] == "中国信息通信研究院云计算与大数据研究所" and rows[0]["role"] == "speaker"
    rows = extract_people([], authors=[("陈宏曲", "国务院办公厅电子政务办公室主任")])
    assert (rows[0]["title"], rows[0]["organization"], rows[0]["role"]) == ("主任", "国务院办公厅电子政务办公室", "author")
    assert extract_people(["数字政府建设需要重点把握好四个方面。"]) == []


def test_organization_aliases_and_types():
    al = text_aliases("由中国信息通信研究院(以下简称“中国信通院”)、中国通信标准化协会主办")
    assert al == {"中国信通院": "中国信息通信研究院"}
    assert canonical("中国信通院云计算与大数据研究所", al) == "中国信息通信研究院云计算与大数据研究所"
    assert canonical("中央网信办") == "中央网络安全和信息化委员会办公室"
    assert org_type("达州市数字经济局") == "government" and org_type("曙光云计算集团有限公司") == "company"
    assert org_type("清华大学公共管理学院") == "research" and org_type("联合国") == "international"
    rows = extract_organizations(["中国信通院"], "中国信息通信研究院(以下简称“中国信通院”)主办")
    assert rows == [{"name": "中国信息通信研究院", "aliases": ["中国信通院"], "type": "research"}]


def test_event_rules():
    assert [cn_number(s) for s in ("十七", "十六", "二十三", "首", "3", "一百")] == [17, 16, 23, 1, 3, 100]
    ev, = extract_events(["9月5日,由浙江省人民政府主办的第三届数字政府峰会在杭州国际博览中心开幕。"],
                         pub_date=date(2024, 9, 6))
    assert (ev["name"], ev["edition"], ev["date"], ev["city"], ev["venue"]) == (
        "数字政府峰会", 3, date(2024, 9, 5), "杭州", "杭州国际博览中心")
    assert ev["region_code"] == "330100" and ev["organizers"] == ["浙江省人民政府"]
    assert extract_events(["与会专家在平行论坛上发言。"]) == []


@pytest.mark.parametrize("text,value,unit,qual", [
    ("全省数字化的经济总量突破3.9万亿元。", 3.9e12, "元", ">"),
    ("使用电子证照5.1亿余次。", 5.1e8, "次", ">"),
    ("90%以上的政务服务实现网上可办。", 0.9, "%", ">="),
    ("大数据产业业务收入占全国比重达到1/8。", 0.125, "%", "="),
    ("惠及260余万个学生家庭。", 2.6e6, "个", ">"),
    ("应用场景建设项目累计超过万个。", 1e4, "个", ">"),
    ("跃居排行榜第6位。", 6.0, "位", "="),
    ("企业开办时间约3天。", 3.0, "天", "~"),
    ("覆盖率不足40%。", 0.4, "%", "<"),
])
def test_statistics_scaling_and_qualifiers(text, value, unit, qual):
    r, = extract_statistics([text])
    assert (r["value"], r["unit"], r["qualifier"]) == (value, unit, qual)
    assert r["evidence"] == text


def test_statistics_skip_years_versions_and_scores():
    assert extract_statistics(["2023年,数字政府2.0建设启动,5G网络覆盖;法国6-3小组出线。"]) == []


def test_statistics_subject_as_of_region():
    r, = extract_statistics(["截至2022年底,山东全省一体化政务服务平台用户超过10亿人。"])
    assert r["subject"] == "山东全省一体化政务服务平台用户" and r["as_of"] == date(2022, 12, 31)
    assert r["region_code"] == "370000"


def test_documents():
    rows = extract_documents(["由中国信息通信研究院发布的《数字政府蓝皮报告》指出", "《关于加强数字政府建设的指导意见》印发"],
                             ["中国信息通信研究院"])
    assert rows[0] == {"title": "数字政府蓝皮报告", "doc_type": "report", "issuer": "中国信息通信研究院"}
    assert rows[1]["doc_type"] == "policy"
    assert doc_type("数字新达州,奋进新时代", "主题演讲") == "speech"
    assert doc_type("政务云创新实践案例集(2023年)") == "report" and doc_type("某某标准") == "standard"
    assert doc_type("青春") == "other"


def test_quotes_direct_indirect_and_pronoun():
    people = [{"name": "张楠", "title": "教授", "organization_raw": "清华大学公共管理学院"},
              {"name": "王钦敏", "title": "主任", "organization_raw": "国家电子政务专家委员会"}]
    q = extract_quotes(["“将人工智能的相关技术更好地嵌入整个政策的流程中。”清华大学公共管理学院教授张楠在论坛上表示。",
                        "王钦敏作主题报告。他指出,数字政府是数字中国的重要组成部分。"], people)
    assert [(x["speaker"], x["kind"]) for x in q] == [("张楠", "direct"), ("王钦敏", "indirect")]
    assert q[0]["text"] == "将人工智能的相关技术更好地嵌入整个政策的流程中。"
    assert q[1]["text"].startswith("数字政府是数字中国") and q[1]["speaker_title"] == "国家电子政务专家委员会主任"


def test_regions_no_false_places():
    assert extract_region_codes(["着力在利企惠民上实现新突破,北京大学教授表示"]) == []
    assert extract_region_codes(["山东省惠民县推进一网通办"]) == ["370000", "371621"]
    assert code_for("济南") == "370100" and code_for("北京国宾酒店") == "110000"
    assert extract_region_codes(["阿里云与中山大学合作"]) == []


def test_keywords_and_topic_score():
    body = "推进一网通办和一网统管,建设政务云,培育数据要素市场,推广电子证照。"
    assert extract_keywords(body) == ["政务云", "一网通办", "一网统管", "电子证照", "数据要素"]  # vocabulary order
    assert extract_keywords(body + "一网通办") [0] == "一网通办"  # most frequent first
    assert topic_score("今天天气很好,球队赢了比赛。") == 0.0
    assert 0.5 < topic_score(body) < topic_score(body, "数字政府建设论坛") <= 1.0


def test_sentences_keep_quotes_whole():
    assert split_sentences("他说:“第一句。第二句。”随后离开。再见") == ("他说:“第一句。第二句。”", "随后离开。", "再见")
