"""The regex lists behind the suites: they catch what they should, agree with the cleaner's
markers and the normalizer's redaction, and leave ordinary news text alone. No GX here."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.clean.markers import classify, squeeze
from pipeline.publish.csv_export import cell, neutralise
from pipeline.validate import patterns

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
PII = [re.compile(p) for p in patterns.pii_patterns().values()]


def _pii(text: str) -> bool:
    return any(p.search(text) for p in PII)


@pytest.mark.parametrize("text", [
    "咨询电话：13812345678", "手机 +86 139-1234-5678", "电话：010-12345678", "（0755）8765 4321",
    "服务热线400-810-8888", "邮箱：press@caict.ac.cn", "身份证号11010119900307123X", "QQ：1234567",
    "扣扣号 987654321",
])
def test_pii_patterns_catch(text):
    assert _pii(text)


@pytest.mark.parametrize("text", [
    "2023年5月30日，数字经济规模达3.9万亿元，同比增长10.3%。", "发布于2023-05-30 10:00:00",
    "已接入政务服务事项13812项", "第3届论坛吸引1200余人参会", "GB/T 2260-2007", "邮编100191",
    "统一社会信用代码12100000400010398U", "https://www.gov.cn/zhengce/2023-05/30/content_5888888.htm",
])
def test_pii_patterns_leave_news_text_alone(text):
    assert not _pii(text)


def test_text_redacted_by_the_normalizer_passes_validation():
    from pipeline.normalize.pii import redact

    raw = ("联系人：王老师，电话：010-12345678，手机13812345678，邮箱 a.b@gov.cn，QQ:12345678，"
           "身份证110101199003071234。")
    assert _pii(raw) and not _pii(redact(raw)[0])


def test_reports_redact_with_the_normalizers_tags():
    from pipeline.normalize.pii import redact_text

    assert redact_text("拨打13812345678或写信a@b.cn") == "拨打[电话]或写信[邮箱]"
    assert set(patterns.parameters()["pii_patterns"]) == set(__import__("pipeline.normalize.pii").normalize.pii.patterns().values())


def test_boilerplate_regexes_agree_with_the_cleaner_on_the_seed_lines():
    lines = [squeeze(line) for f in sorted(SEEDS.glob("*.txt")) for line in f.read_text("utf-8").splitlines()]
    lines = [line for line in lines if line]
    regexes = [re.compile(p) for p in patterns.boilerplate_markers()]
    ours = [any(r.search(line) for r in regexes) for line in lines]
    theirs = [classify(line) is not None for line in lines]
    assert ours == theirs
    assert sum(ours) >= 10


def test_short_markers_only_count_on_short_lines():
    related = [re.compile(p) for p in patterns.boilerplate_markers()]
    assert any(r.search("正文第一段。\n相关文章\n正文") for r in related)
    long_line = "相关新闻报道指出，数字政府建设正在从“能办”向“好办”转变，各地政务服务平台持续优化。"
    assert classify(long_line) is None
    assert not any(r.search(long_line) for r in related)


def test_region_code_regex_is_exactly_the_known_codes():
    rx = re.compile(patterns.known_region_code_regex())
    codes = patterns.known_region_codes()
    assert len(codes) > 3000 and all(rx.match(c) for c in codes)
    assert not any(rx.match(c) for c in ("999999", "110000 ", "11000", "1100000"))


@pytest.mark.parametrize("raw,expected", [
    ("=1+1", "'=1+1"), ("+86", "'+86"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"), ("\tcmd", "'\tcmd"),
    ("\r=1", "'\r=1"), ("数字政府", "数字政府"), ("", ""),
])
def test_csv_neutralises_formula_cells(raw, expected):
    assert neutralise(raw) == expected


def test_csv_cells_keep_numbers_and_lists():
    assert cell(-1.5) == "-1.5" and cell(float("inf")) == "INF" and cell(None) == ""
    assert cell(["=a", "乙"]) == '["=a", "乙"]'
