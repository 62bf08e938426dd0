"""Each seed: title, date, source, body start and end; no boilerplate left."""
from pathlib import Path

import pytest

from pipeline.clean.markers import find_markers
from pipeline.clean.page import extract_path
from pipeline.clean.signals import EMAIL_RE, PHONE_RE
from pipeline.clean import clean_page

SEEDS = Path(__file__).resolve().parents[1] / "pipeline" / "samples"


def seed(prefix):
    path = next(SEEDS.glob(prefix + "_*.txt"))
    return clean_page(path.read_text("utf-8"), "text")


EXPECT = {
    "000": ("2023 数字政府高质量发展论坛在京召开", "2023-05-30", None,
            "2023 年 5 月 30 日,由中国信息通信研究院", "数字政府高质量发展贡献力量。"),
    "001": ("广东高标准建成全省一体化的政务云、政务网和大数据中心", "2021-11-28T16:23:59+08:00", "南方都市报",
            "为深入贯彻落实党中央、国务院数字政府建设部署", "——中国电子科技集团有限公司党组书记、董事长陈肇雄"),
    "002": ("群英荟萃共话数字政府建设!第十七届中国电子政务论坛在济南举行", "2024-02-20T18:52:52+08:00",
            "米乐m6体育官网", "4月8日,由中央党校", "加强个人隐私保护,保障数据安全。"),
    "003": ("全面推动数字政府建设向纵深发展", "2022-11-01T10:08:59+08:00", "学习时报",
            "党的二十大报告强调", "全面提升政府协同管理和服务水平。"),
    "004": ("数字政府建设亮点层出 还需加快技术创新场景优化", "2023-08-03T10:12:47+08:00", "人民邮电报",
            "从惠企政策的“有感申报”到“无感智享”", "打造更多的“套餐式服务新品”。"),
}


@pytest.mark.parametrize("prefix", sorted(EXPECT))
def test_seed_fields(prefix):
    title, date, source, start, end = EXPECT[prefix]
    a = seed(prefix)
    assert a.title == title
    assert a.published_at == date
    assert a.source_raw == source
    assert a.paragraphs[0].startswith(start)
    assert a.paragraphs[-1].endswith(end)


@pytest.mark.parametrize("prefix", sorted(EXPECT))
def test_seed_body_has_no_boilerplate(prefix):
    body = seed(prefix).body
    for marker in ("当前位置", "【字体", "相关文章", "特别提示", "责任编辑", "联系人", "摘要", "最新新闻", "热点文章"):
        assert marker not in body
    assert not PHONE_RE.search(body) and not EMAIL_RE.search(body)
    assert find_markers(body) == []


def test_seed_004_related_headlines_and_caption():
    a = seed("004")
    assert "仁智股份最新公告" not in a.body and "2023-08-02" not in a.body
    assert a.captions == ["(资料图片仅供参考)"]
    assert "数字政府建设进入全面加速期" in a.paragraphs  # sub-heading kept


def test_seed_003_disclaimer_gone_and_author_read():
    a = seed("003")
    assert "版权" not in a.body and "本站" not in a.body
    assert a.authors == ["陈宏曲"]


def test_seed_001_subheadings_kept_caption_set_aside():
    a = seed("001")
    assert "数字政府是数字中国的重要组成部分和核心枢纽" in a.paragraphs
    assert "广东全力推动政务服务创新和政府治理现代化" in a.paragraphs
    assert "声音" in a.paragraphs
    assert any(c.endswith("摄") for c in a.captions)
    assert "摄" not in a.paragraphs[0]


def test_seed_000_contact_block_and_label_gone():
    a = seed("000")
    assert "吴佳兴" not in a.body and "评论" != a.paragraphs[-1]
    assert a.paragraphs[0] != "摘要"


def test_extract_path_dict_and_error():
    path = str(next(SEEDS.glob("002_*.txt")))
    d = extract_path(path)
    assert set(d) == {"path", "url", "title", "published_at", "source", "authors", "text"}
    assert d["path"] == path and d["source"] == "米乐m6体育官网"
    a = seed("002")
    assert d["text"] == "\n".join(a.paragraphs)
    bad = extract_path("/nonexistent/page.html")
    assert bad["path"] == "/nonexistent/page.html" and bad["error"].startswith("FileNotFoundError")
