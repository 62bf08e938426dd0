"""spun_text: several distinct spinner substitutions, dense enough; one sloppy phrase is not spinning."""
import importlib.util
from pathlib import Path

import pytest

from pipeline.filter.spun import is_spun, spinner_hits
from tests.conftest import BENCH

ORIGINAL = ("山东数字经济总量突破3.9万亿元，数字经济逐渐成为高质量发展的重要动力源。"
            "公务员全周期管理改革取得明显成效，各地弥合各种形式的数字鸿沟。") * 3


def test_spinner_fingerprints_flag_a_reprint_and_not_its_original():
    spun = (ORIGINAL.replace("数字经济", "数字化的经济").replace("逐渐成为", "慢慢的变成了")
            .replace("明显成效", "很明显的成效"))
    assert is_spun(spun) and not is_spun(ORIGINAL)
    assert set(spinner_hits(spun)) == {"数字化的经济", "慢慢的变成了", "很明显的成效"}


def test_one_sloppy_phrase_is_not_spinning():
    assert not is_spun(ORIGINAL + "要进一步的加强监管。")


@pytest.mark.skipif(not (BENCH / "daniel_dev").is_dir(), reason="bench pages not available")
def test_no_bench_body_is_flagged():
    spec = importlib.util.spec_from_file_location("dedupe_corpus", Path(__file__).parent / "benchmarks" / "dedupe_corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    bodies = corpus.bench_bodies(BENCH)
    assert len(bodies) > 250
    assert [b[:20] for b in bodies if is_spun(b)] == []
