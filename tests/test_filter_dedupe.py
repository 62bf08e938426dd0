"""Quality filters, spun-text flag, and duplicate grouping."""
from datetime import datetime, timezone

from pipeline.dedupe import article_id, resolve_pages
from pipeline.dedupe.near import near_groups, signature, similarity
from pipeline.filter import run_filters
from pipeline.filter.spun import is_spun
from pipeline.record import Document
from tests.conftest import SEEDS

BODY = ("数字政府建设全面提速，数字技术不断升级，数字应用场景加速扩展。各地推进一网通办，政务云平台统筹布局。"
        "数据要素市场化配置改革持续深化，电子证照应用范围不断扩大，群众办事更加便利。") * 3


def _doc(body: str, score: float = 0.5) -> Document:
    d = Document(id="x", path="p")
    d.metadata = {"body": body, "topic_score": score}
    return d


def test_filters_give_reasons():
    assert run_filters(_doc(BODY)).keep
    assert run_filters(_doc("")).reason == "boilerplate_only"
    assert run_filters(_doc("太短了。")).reason == "too_short"
    assert run_filters(_doc("The quick brown fox jumps over the lazy dog. " * 10)).reason == "not_chinese"
    assert run_filters(_doc(BODY, score=0.0)).reason == "off_topic"
    assert run_filters(_doc(BODY, score=0.0), {"min_topic_score": 0}).keep


def test_spun_text_only_on_the_spun_seed():
    flagged = {p.name[:3] for p in sorted(SEEDS.glob("*.txt")) if is_spun(p.read_text("utf-8"))}
    assert flagged == {"002"}


def _cand(pid, body, flags=(), day=1):
    return {"page_id": pid, "path": pid, "url": None, "fetched_at": None, "flags": list(flags), "records": {},
            "metadata": {"body": body, "published_at": datetime(2024, 1, day, tzinfo=timezone.utc)}}


def test_near_duplicates_grouped_and_original_preferred():
    edited = BODY.replace("全面提速", "加快推进").replace("更加便利", "十分便利") + "责任编辑：某某"
    other = "联合国副秘书长李军华表示，各国政府应当考虑默认包容性战略，弥合数字鸿沟。" * 6
    assert similarity(signature(BODY), signature(edited)) > 0.5
    assert near_groups([BODY, other, edited]) == [0, 1, 0]
    res = resolve_pages([_cand("b", edited, ["reprint"], day=1), _cand("a", BODY, day=2), _cand("c", other)])
    assert list(res.ids) == ["a", "c"]
    assert [(d["page_id"], d["duplicate_of"]) for d in res.duplicates] == [("b", res.ids["a"])]


def test_article_id_ignores_spacing_and_punctuation():
    assert article_id("数字政府，建设。") == article_id("数字政府 建设")
    assert article_id("数字政府建设") != article_id("数字经济建设")
