"""Precision and recall of people and statistics on the labelled pages (labels/people_statistics.json).

The bars sit a little under the measured figures (see tests/benchmarks/eval_extract.py) so
that a regression in either table fails the suite."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "benchmarks"))
import eval_extract  # noqa: E402

if not (eval_extract.BENCH / "daniel_dev").exists():
    pytest.skip("../shared/bench is not beside the repository", allow_module_level=True)


@pytest.fixture(scope="module")
def scores():
    return eval_extract.scores()


def test_labelled_set_is_real(scores):
    assert scores["people"]["labelled"] >= 50 and scores["statistics"]["labelled"] >= 140


@pytest.mark.parametrize("table,precision,recall", [("people", 0.95, 0.95), ("statistics", 0.95, 0.95)])
def test_precision_recall(scores, table, precision, recall):
    s = scores[table]
    assert s["precision"] >= precision and s["recall"] >= recall, s
