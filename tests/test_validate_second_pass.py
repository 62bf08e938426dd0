"""The second pass (what is left after quarantine) runs GX only on the row batches that lost
rows; a batch that lost none is the first pass's batch, and its results are reused. The
verdicts, counts, examples and Data Docs are those of validating every batch again."""
from __future__ import annotations

import copy
import json

import pyarrow as pa
import pytest
from dgn_rows import NOW, article, good_tables

import pipeline.validate.run as vr
from pipeline.publish import stream
from pipeline.tables import RELEASED, to_arrow
from pipeline.validate.suites import load_suites

pytestmark = pytest.mark.filterwarnings("ignore")
_FRAMES, _STORE = vr._frames, vr._Runner._store


def _tables() -> dict[str, pa.Table]:
    """Good articles in several batches; one quarantined article in the middle (its people
    row follows it) and people rows whose warn expectations fail in batches that lose nothing."""
    t = good_tables()
    base = t["articles"][0]
    for i in range(8):
        t["articles"].append(article(f"g{i}", body=base["body"] + f"\n第{i}段补充。"))
        t["people"].append({"article_id": f"g{i}", "name": "王志勤", "role": "speaker",
                            "evidence": f"王志勤第{i}次说" if i % 3 else "王志勤说", "title": "院长"})
    t["articles"].insert(5, article("b-phone", body=base["body"] + "\n咨询请拨打13812345678。"))
    t["people"].append({"article_id": "b-phone", "name": "钱七", "role": "author", "evidence": "钱七"})
    return {n: to_arrow(n, t.get(n, [])) for n in RELEASED}


def _suites() -> dict:
    """The project's suites and one expectation that passes with unexpected rows (``mostly``),
    so that the second pass has counts and examples to sum."""
    suites = copy.deepcopy(load_suites())
    suites["people"]["expectations"].append(
        {"type": "expect_column_values_to_be_in_set",
         "kwargs": {"column": "evidence", "value_set": ["王志勤说"], "mostly": 0.1},
         "meta": {"on_failure": "block", "family": "test_mostly"}})
    return suites


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(stream, "MIN_BATCH_ROWS", 3)
    monkeypatch.setattr(stream, "MAX_BATCH_ROWS", 3)


def _run(tmp_path, monkeypatch, reuse: bool, name: str):
    monkeypatch.setattr(vr, "REUSE_UNTOUCHED", reuse)
    framed: list[tuple[str, int]] = []
    real = _FRAMES

    def counting(table_name, table, parents):
        framed.append((table_name, table.num_rows))
        return real(table_name, table, parents)

    monkeypatch.setattr(vr, "_frames", counting)
    stored = []
    real_store = _STORE

    def store(self, frame, results, batch_id, run_id):
        plain = [r.to_json_dict() for r in results]
        for r in plain:
            r["expectation_config"].pop("id", None)  # a new uuid a GX context
        stored.append((frame, run_id.run_name, plain))
        return real_store(self, frame, results, batch_id, run_id)

    monkeypatch.setattr(vr._Runner, "_store", store)
    kept, report = vr.validate_sources(_tables(), NOW, docs_dir=tmp_path / name, suites=_suites())
    report.stored = stored
    return {n: s.read() for n, s in kept.items()}, report, framed


def _docs(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text("utf-8")
            for p in sorted((folder / "validations").rglob("*.html"))}


def _first_difference(new: dict[str, str], old: dict[str, str]) -> str:
    """The first page that differs, as a diff of its lines (pytest cuts HTML pages short)."""
    import difflib

    for name in sorted(set(new) | set(old)):
        if new.get(name) != old.get(name):
            diff = difflib.unified_diff(old.get(name, "").splitlines(), new.get(name, "").splitlines(),
                                        "every batch", "reused", lineterm="", n=2)
            return f"{name} differs:\n" + "\n".join(line[:400] for line in list(diff)[:60])
    return ""


def test_reused_batches_give_the_results_of_validating_every_batch(tmp_path, monkeypatch, small_batches):
    kept_all, every, framed_all = _run(tmp_path, monkeypatch, False, "every")
    kept_new, reused, framed_new = _run(tmp_path, monkeypatch, True, "reused")
    assert {json.loads(q["key"])[0] for q in every.quarantined if q["table"] == "articles"} == {"b-phone"}
    assert any(r["pass"] == "release" and r["unexpected_count"] for r in every.results)  # reused counts matter
    assert reused.stored == every.stored  # every summed result in full, as the Data Docs get it
    assert reused.results == every.results and reused.quarantined == every.quarantined
    assert reused.rows_out == every.rows_out and reused.ok and every.ok
    assert all(kept_new[n].equals(kept_all[n]) for n in RELEASED)
    docs_new, docs_all = _docs(tmp_path / "reused"), _docs(tmp_path / "every")
    assert docs_new == docs_all, _first_difference(docs_new, docs_all)
    assert len(framed_new) < len(framed_all)


def test_gx_runs_again_only_on_the_batches_that_lost_rows(tmp_path, monkeypatch, small_batches):
    _, report, framed = _run(tmp_path, monkeypatch, True, "docs")
    first_pass = sum(len(list(stream.TableSource.of(n, t).batches())) for n, t in _tables().items())
    second = framed[first_pass:]
    # articles: the batch that held b-phone; people: the batch that held its row; nothing else
    assert [n for n, _ in second] == ["articles", "people"]
    assert [rows for _, rows in second] == [2, 2]
    assert any(r["pass"] == "release" and r["table"] == "quotes" for r in report.results)  # checked, from reuse
