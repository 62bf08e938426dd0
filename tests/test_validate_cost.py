"""What a validation run costs without changing what it finds: a batch is validated with
counts only and only the expectations that found something run again with complete
results; a batch holds a bounded amount of Arrow data."""
from __future__ import annotations

import json

import pyarrow as pa
import pytest
from great_expectations.validator.v1_validator import Validator

import pipeline.publish.stream as stream
import pipeline.validate.run as run
from dgn_rows import NOW, article, good_tables
from pipeline.publish.stream import TableSource
from pipeline.tables import RELEASED, to_arrow
from pipeline.validate.run import validate_tables

pytestmark = pytest.mark.filterwarnings("ignore")


def _spoiled() -> dict[str, pa.Table]:
    t = good_tables()
    t["articles"] += [article("b-phone", body=t["articles"][0]["body"] + "\n咨询请拨打13812345678。"),
                      article("b-score", topic_score=1.5),
                      article("b-author", authors=["张三 13912345678"], region_codes=["999999"])]
    t["people"].append({"article_id": "a2", "name": "赵六", "role": "boss", "evidence": "赵六说"})
    return {n: to_arrow(n, t.get(n, [])) for n in RELEASED}


def _runs(monkeypatch) -> list[tuple[str, int]]:
    """(result format, expectations) of every GX run."""
    seen = []
    real = Validator.validate_expectation_suite

    def spy(self, suite, *a, **k):
        seen.append((self.result_format["result_format"], len(suite.expectations)))
        return real(self, suite, *a, **k)

    monkeypatch.setattr(Validator, "validate_expectation_suite", spy)
    return seen


def _everything(report) -> str:
    return json.dumps([report.results, report.quarantined, report.rows_out, report.blocked],
                      ensure_ascii=False, sort_keys=True, default=str)


def test_counts_first_finds_what_complete_results_find(monkeypatch):
    tables = _spoiled()
    kept, report = validate_tables(tables, NOW)
    monkeypatch.setattr(run, "FIRST_FORMAT", run.BATCH_FORMAT)
    kept_complete, complete = validate_tables(tables, NOW)
    assert _everything(report) == _everything(complete)  # results, quarantined rows in order, verdict
    assert all(kept[n].equals(kept_complete[n]) for n in RELEASED)
    assert {json.loads(q["key"])[0] for q in report.quarantined if q["table"] == "articles"} >= \
        {"b-phone", "b-score", "b-author"}


def test_a_clean_batch_is_validated_once_with_counts_only(monkeypatch):
    runs = _runs(monkeypatch)
    _, report = validate_tables({n: to_arrow(n, rows) for n, rows in good_tables().items()}, NOW)
    assert report.all_passed
    assert runs and {fmt for fmt, _ in runs} == {"BASIC"}


def test_only_the_expectations_that_found_something_run_again(monkeypatch):
    runs = _runs(monkeypatch)
    validate_tables(_spoiled(), NOW)
    again = [n for fmt, n in runs if fmt == "COMPLETE"]
    first = [n for fmt, n in runs if fmt == "BASIC"]
    assert again, "failing expectations need their complete results (the rows to quarantine)"
    assert sum(again) < sum(first) / 4


def test_a_batch_of_long_rows_holds_about_batch_bytes(monkeypatch):
    monkeypatch.setattr(stream, "MIN_BATCH_ROWS", 1)
    body = "正文" * 20_000  # about 120 KB of Arrow data a row
    src = TableSource.of("articles", [article(f"a{i:03d}", body=body) for i in range(300)])
    sizes = [t.nbytes for t in src.batches()]
    assert len(sizes) > 1 and max(sizes) <= stream.BATCH_BYTES * 1.1
    assert stream.BATCH_BYTES <= 16 << 20
