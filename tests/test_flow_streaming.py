"""The flow spills shard results to disk and keeps light entries: the release must not depend
on how pages were sharded, and nothing may be left behind."""
import shutil
from pathlib import Path

from pipeline import flows
from pipeline.dedupe.lights import light
from pipeline.flows import run, sample_dir
from pipeline.ingest import discover
from pipeline.run.staging import ROOT
from pipeline.run.stages import process_files


def _data_bytes(release: Path) -> dict[str, bytes]:
    return {p.relative_to(release).as_posix(): p.read_bytes() for p in sorted((release / "data").rglob("*.parquet")) if p.is_file()}


def test_one_page_per_shard_gives_the_same_release(prefect_harness, tmp_path, monkeypatch):
    pages = tmp_path / "pages"
    shutil.copytree(sample_dir(), pages)
    first = sorted(pages.iterdir())[0]
    shutil.copy(first, pages / ("zz_copy_of_" + first.name))  # same bytes, same page_id, another shard
    whole = run([pages], tmp_path / "whole")
    monkeypatch.setattr(flows, "shard", lambda files: [[f] for f in files])
    split = run([pages], tmp_path / "split")
    assert (whole.pages_in, whole.articles, whole.duplicates) == (6, 5, 1)
    assert (split.pages_in, split.articles, split.duplicates) == (6, 5, 1)
    assert _data_bytes(Path(whole.release)) == _data_bytes(Path(split.release))
    for out in ("whole", "split"):
        assert not (tmp_path / out / ROOT).exists()


def test_staging_is_removed_when_the_run_fails(prefect_harness, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(flows, "validate_and_publish", broken)
    try:
        run([sample_dir()], tmp_path / "out")
    except OSError:
        pass
    assert not (tmp_path / "out" / ROOT).exists() or not any((tmp_path / "out" / ROOT).iterdir())


def test_light_entries_hold_no_text():
    kept = process_files(discover([str(sample_dir())])[0]).kept
    full = sum(len(repr(c)) for c in kept)
    entries = [light(c) for c in kept]
    assert all("records" not in e and "body" not in e["metadata"] for e in entries)
    assert sum(len(repr(e)) for e in entries) < full / 5
