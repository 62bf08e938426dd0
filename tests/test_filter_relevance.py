"""Digital-government relevance: topic_score needs an anchor term; general news is off_topic."""
import re
from pathlib import Path

import pytest

from pipeline.extract.keywords import topic_score
from pipeline.filter.quality import DEFAULT_LIMITS
from tests.conftest import BENCH

MIN = DEFAULT_LIMITS["min_topic_score"]
TECH = "谷歌发布新一代人工智能芯片，大模型训练算力提升三倍，云计算和大数据业务增长明显，5G终端出货量创新高。"


def test_generic_digital_terms_alone_are_not_relevant():
    assert topic_score(TECH * 3, "人工智能芯片发布") == 0.0
    assert topic_score(TECH + "该芯片将用于多地政务云平台。") > MIN


def test_common_phrases_do_not_count():
    assert topic_score("据呼和浩特市人民政府网站消息，婴幼儿照护补贴开始发放。我想说一件事，这件事很重要。" * 2) == 0.0
    assert topic_score("国务院部署高效办成一件事，推动企业和群众办事更便捷。") > MIN
    assert topic_score("这家公司发布了新的大模型。") == 0.0
    assert topic_score("多地上线政务大模型，辅助审批。") > MIN


def test_one_anchor_term_named_once_passes_the_default():
    assert MIN < topic_score("市民可以通过一网通办平台查询进度。") < 0.2


@pytest.mark.skipif(not (BENCH / "daniel_dev").is_dir(), reason="bench pages not available")
def test_bench_news_is_mostly_off_topic():
    refs = sorted((BENCH / "daniel_dev" / "reference").glob("*.txt"))
    scores = []
    for p in refs:
        lines = [re.sub(r"</?p>", "", x).strip() for x in p.read_text("utf-8").splitlines()]
        scores.append(topic_score("\n".join(lines[1:]), lines[0]))
    assert len(scores) == 147
    assert sum(s < MIN for s in scores) / len(scores) >= 0.98  # measured 147/147 (2011-12 general news)


def test_seed_pages_all_stay_and_002_is_flagged():
    from pipeline.ingest import discover
    from pipeline.run.stages import process_files

    samples = Path(__file__).resolve().parents[1] / "pipeline" / "samples"
    out = process_files(discover([str(samples)])[0])
    assert out.rejected == [] and len(out.kept) == 5
    flags = {Path(c["path"]).name[:3]: set(c["flags"]) for c in out.kept}
    assert {"spam_source", "spun_text"} <= flags["002"]
    assert all("spun_text" not in f for k, f in flags.items() if k != "002")
    assert min(c["metadata"]["topic_score"] for c in out.kept) > 0.9
