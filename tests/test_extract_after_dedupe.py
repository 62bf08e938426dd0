"""The flow extracts the tables (the tagger's work) after dedupe, for the pages it keeps only;
a kept page whose extraction fails is rejected and one of its duplicates takes its place."""
from pathlib import Path

import numpy as np

from pipeline.flows import run, sample_dir
from pipeline.ingest import discover
from pipeline.run import stages
from pipeline.run.stages import extract_candidates, process_files


def _copies(folder: Path) -> dict[str, Path]:
    """A sample page, two longer reprints of it (near duplicates) and another sample page."""
    folder.mkdir()
    first, other = sorted(sample_dir().glob("*.txt"))[:2]
    text = first.read_text("utf-8")
    pages = {"original": text, "reprint": text + "\n本文转载自本报。\n", "longer": text + "\n本文转载自本报，有删改。\n",
             "other": other.read_text("utf-8")}
    out = {}
    for name, body in pages.items():
        (folder / f"{name}.txt").write_text(body, "utf-8")
        out[name] = folder / f"{name}.txt"
    return out


def _counting(monkeypatch, fail: str | None = None) -> list[str]:
    """Make ``extract_records`` note each page it is given, and fail on the page ``fail``."""
    seen: list[str] = []
    real = stages.extract_records

    def extract(doc):
        seen.append(Path(doc.path).stem)
        if fail and Path(doc.path).stem == fail:
            raise ValueError("broken page")
        return real(doc)

    monkeypatch.setattr(stages, "extract_records", extract)
    return seen


def test_deferred_candidates_extract_as_the_shard_did(tmp_path):
    files, _ = discover([str(p) for p in _copies(tmp_path / "in").values()])
    now = {c["page_id"]: c for c in process_files(files).kept}
    later = process_files(files, defer_extract=True).kept
    assert all(not c["records"] and "extract" in c for c in later)
    failed = extract_candidates(later, {c["page_id"] for c in later})
    assert failed == []
    for c in later:
        assert "extract" not in c
        assert c["records"] == now[c["page_id"]]["records"]
        assert c["metadata"] == now[c["page_id"]]["metadata"]


def test_only_the_pages_dedupe_keeps_are_extracted(tmp_path, prefect_harness, monkeypatch):
    _copies(tmp_path / "in")
    seen = _counting(monkeypatch)
    summary = run([str(tmp_path / "in")], tmp_path / "out", min_topic_score=0.0, min_chars=0)
    assert (summary.articles, summary.duplicates) == (2, 2)
    assert sorted(seen) == ["longer", "other"]  # the longest copy is the article; its duplicates cost nothing


def test_a_failed_extraction_hands_the_article_to_a_duplicate(tmp_path, prefect_harness, monkeypatch):
    import pyarrow.parquet as pq

    _copies(tmp_path / "in")
    seen = _counting(monkeypatch, fail="longer")
    summary = run([str(tmp_path / "in")], tmp_path / "out", min_topic_score=0.0, min_chars=0)
    heir = next(n for n in seen if n not in ("longer", "other"))
    assert sorted(seen) == sorted(["longer", "other", heir]) and heir in ("original", "reprint")
    assert (summary.pages_in, summary.articles, summary.duplicates) == (4, 2, 1)
    assert summary.rejected == {"extract_error": 1}
    release = Path(summary.release)
    files, _ = discover([str(tmp_path / "in")])
    name = {c["page_id"]: Path(c["path"]).stem for c in process_files(files, defer_extract=True).kept}
    ids = pq.read_table(release / "data" / "articles.parquet", columns=["page_id"]).column("page_id").to_pylist()
    assert {name[i] for i in ids} == {heir, "other"}
    reasons = {Path(r["path"]).stem: r["reason"] for r in pq.read_table(release / "rejected.parquet").to_pylist()}
    assert reasons == {"longer": "extract_error", ({"original", "reprint"} - {heir}).pop(): "duplicate_of"}


def test_small_extract_jobs_share_a_task():
    from pipeline import flows

    jobs = [(0, ["a"]), (1, ["b", "c"]), (2, [f"d{i}" for i in range(40)]), (3, ["e"]), (4, ["f"])]
    assert flows.pack_extract_jobs(jobs) == [jobs[:3], jobs[3:]]  # a task closes once it holds 32 pages
    many = [(i, ["p"]) for i in range(70)]
    assert [len(t) for t in flows.pack_extract_jobs(many)] == [32, 32, 6]  # and at 32 shards
    assert flows.pack_extract_jobs([]) == []


def test_shards_extracted_together_store_what_each_alone_would(tmp_path, monkeypatch):
    import pickle

    from pipeline.run.staged_extract import extract_staged_files

    paths = _copies(tmp_path / "in")
    _counting(monkeypatch, fail="reprint")
    stored = {}
    for way in ("alone", "together"):
        jobs = []
        for name, path in paths.items():
            files, _ = discover([str(path)])
            kept = process_files(files, defer_extract=True).kept
            shard = tmp_path / f"{way}-{name}.pkl"
            shard.write_bytes(pickle.dumps(kept))
            jobs.append((str(shard), [c["page_id"] for c in kept]))
        failed = ([r for job in jobs for r in extract_staged_files([job], {})] if way == "alone"
                  else extract_staged_files(jobs, {}))
        assert [Path(r["path"]).stem for r in failed] == ["reprint"]
        stored[way] = [pickle.loads(Path(path).read_bytes()) for path, _ in jobs]
    assert [len(c) for c in stored["together"]] == [1, 0, 1, 1]  # the failed page left its own shard only
    for alone, together in zip(stored["alone"], stored["together"]):
        for a, b in zip(alone, together):
            assert np.array_equal(a.pop("sig"), b.pop("sig"))
            assert a == b
