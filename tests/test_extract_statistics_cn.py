"""Statistics as issue 13 and GUIDELINES.md define them: Chinese numerals, measure words, ages,
durations, ranges, 成 and 百分之; dates, years, phones, editions and times of day stay out.
Also: untitled/undated pages stay articles, and a short form of a title is no document."""
from __future__ import annotations

import pytest

from pipeline.extract.documents import extract_documents
from pipeline.extract.numerals import cn_value, lower_bound
from pipeline.extract.statistics import extract_statistics


def figures(text: str) -> list[tuple[str, float, str, str]]:
    return [(r["raw"], round(r["value"], 9), r["unit"], r["qualifier"]) for r in extract_statistics([text])]


@pytest.mark.parametrize("numeral,value", [
    ("两", 2), ("十七", 17), ("一千二百万", 12_000_000), ("3.9万亿", 3.9e12), ("1万2千", 12_000),
    ("一万八", 18_000), ("廿", 20), ("一五○", 150), ("一亿五千万", 150_000_000), ("百", 100),
])
def test_numeral_reader(numeral, value):
    assert float(cn_value(numeral)) == pytest.approx(value, rel=1e-12)


def test_numeral_reader_rejects_non_numbers_and_reads_neighbour_ranges():
    assert cn_value("五七") is None and cn_value("数字") is None
    assert lower_bound("七八百") == (700, True) and lower_bound("三四") == (3, True)
    assert lower_bound("十四") == (14, False)


def test_chinese_numerals():
    assert figures("两名干部赶到，确诊三例，十余人参与，总投资一千二百万元。") == [
        ("两名", 2, "名", "="), ("三例", 3, "例", "="), ("十余人", 10, "人", ">"),
        ("一千二百万元", 12_000_000, "元", "=")]


def test_measure_words():
    assert figures("全市三家医院、五架无人机、两所学校，发生四起事故，涉及八种药品。") == [
        ("三家", 3, "家", "="), ("五架", 5, "架", "="), ("两所", 2, "所", "="), ("四起", 4, "起", "="),
        ("八种", 8, "种", "=")]


def test_one_as_an_article_is_no_count():
    assert figures("这是一个平台，一家企业开展了一次检查。") == []


def test_ages():
    assert figures("老人今年75岁，儿子50来岁，孙子30岁出头，参赛者须在24岁以下。") == [
        ("75岁", 75, "岁", "="), ("50来岁", 50, "岁", "~"), ("30岁出头", 30, "岁", ">"), ("24岁以下", 24, "岁", "<")]


def test_durations():
    assert figures("工程历时十年，试运行半年，审批用了一年半，排队两个小时，整改期三个月。") == [
        ("十年", 10, "年", "="), ("半年", 0.5, "年", "="), ("一年半", 1.5, "年", "="),
        ("两个小时", 2, "个小时", "="), ("三个月", 3, "个月", "=")]


def test_ranges_give_the_lower_bound():
    assert figures("每次休息5-10分钟，年龄10岁至15岁，补贴1-2万元，距离七八百米，三四名专家，五、六十岁的人。") == [
        ("5-10分钟", 5, "分钟", ">="), ("10岁至15岁", 10, "岁", ">="), ("1-2万元", 10_000, "元", ">="),
        ("七八百米", 700, "米", ">="), ("三四名", 3, "名", ">="), ("五、六十岁", 50, "岁", ">=")]


def test_cheng():
    assert figures("七成左右的受访者满意，一到两成表示反对，两成未作答。") == [
        ("七成左右", 0.7, "%", "~"), ("一到两成", 0.1, "%", ">="), ("两成", 0.2, "%", "=")]


def test_baifenzhi():
    assert figures("覆盖率达百分之三十，增速百分之六到七，网办率百分之五十以上。") == [
        ("达百分之三十", 0.3, "%", "="), ("百分之六到七", 0.06, "%", ">="), ("百分之五十以上", 0.5, "%", ">=")]


def test_dates_and_years_stay_out():
    assert figures("2022年3月5日，二〇二二年，90年代，三年级学生，19年3月，六八年。") == []


def test_phones_editions_and_times_stay_out():
    assert figures("咨询电话：0931-12345678，第十届论坛，第三次会议，十三届人大五次会议于上午10点30分开幕。") == []


def test_a_figure_written_again_is_one_row():
    rows = figures("调查对象为13—15岁儿童。13-15岁儿童中，13—15岁女生较多。")
    assert rows == [("13—15岁", 13, "岁", ">=")]


def test_a_short_form_of_a_title_is_no_document():
    docs = extract_documents(["发改委下发《关于做好煤炭运输工作的通知》(下称《通知》)。在《通知》中可以看到，",
                              "《数据条例》（简称《条例》）施行。"])
    assert [d["title"] for d in docs] == ["关于做好煤炭运输工作的通知", "数据条例"]


def test_untitled_and_undated_pages_stay_articles():
    from dgn_rows import NOW, good_tables
    from pipeline.run.assemble import article_row
    from pipeline.tables import RELEASED, to_arrow
    from pipeline.validate.run import validate_tables

    cand = {"url": None, "page_id": "p9", "fetched_at": None, "flags": ["traditional_script"],
            "metadata": {"title": "", "body": "正文第一段。\n正文第二段。"}}
    row = article_row(cand, "a9", 0)
    assert row["title"] == "正文第一段。" and row["published_at"] is None  # issue 15: first sentence
    assert row["flags"] == ["traditional_script", "undated", "untitled"]
    tables = good_tables()
    tables["articles"][1].update(title=None, published_at=None, flags=["undated", "untitled"])
    kept, report = validate_tables({n: to_arrow(n, tables[n]) for n in RELEASED}, NOW)
    assert "a2" in kept["articles"].column("article_id").to_pylist()
    assert not [q for q in report.quarantined if q["table"] == "articles"]


def test_ranks_after_a_rank_verb():
    assert figures("该市位居全国第一，排在第七位。") == [("第一", 1, "位", "="), ("第七位", 7, "位", "=")]
    assert figures("分为三类：第一，现行政策。") == [("三类", 3, "类", "=")]


def test_vague_amounts_anniversaries_and_vehicle_words_stay_out():
    assert figures("短短几十个字，数百家企业参加，成立十周年，蹬过三轮车，培训两周。") == [("两周", 2, "周", "=")]
