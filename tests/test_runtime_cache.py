"""Issue 16, caches with a bound: the shard cache lives in the output folder, keeps what a
restarted run needs and is pruned once a release is out."""
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline import flows
from pipeline.flows import run, sample_dir
from pipeline.run.shard_cache import FOLDER, ShardCache


def _entries(out: Path) -> dict[str, int]:
    folder = out / FOLDER
    return {p.name: p.stat().st_size for p in folder.iterdir()} if folder.is_dir() else {}


def _write(folder: Path, name: str, size: int, age: int) -> None:
    p = folder / name
    p.write_bytes(b"x" * size)
    os.utime(p, (1_000_000 + age, 1_000_000 + age))


def test_prune_drops_unused_entries_then_the_oldest_to_the_limit(tmp_path):
    cache = ShardCache(tmp_path)
    cache.path.mkdir(parents=True)
    for name, age in (("old", 1), ("mid", 2), ("new", 3), ("stale", 4)):
        _write(cache.path, name, 100, age)
    for name in ("old", "mid", "new"):
        cache.note(SimpleNamespace(data=SimpleNamespace(metadata=SimpleNamespace(storage_key=str(cache.path / name)))))
    assert cache.prune(limit=250) == 200
    assert sorted(p.name for p in cache.path.iterdir()) == ["mid", "new"]
    assert cache.prune(limit=0) == 0 and not list(cache.path.iterdir())


def test_an_entry_written_during_the_run_is_kept_unnoted(tmp_path):
    cache = ShardCache(tmp_path)
    cache.path.mkdir(parents=True)
    _write(cache.path, "earlier", 100, 1)
    (cache.path / "fresh").write_bytes(b"x" * 100)  # its state came back without a key
    assert cache.prune() == 100
    assert [p.name for p in cache.path.iterdir()] == ["fresh"]


def test_a_state_without_a_stored_result_marks_nothing(tmp_path):
    cache = ShardCache(tmp_path)
    cache.note(SimpleNamespace(data=None))
    cache.note(None)
    assert cache.used == set()


@pytest.fixture
def pages(tmp_path):
    d = tmp_path / "pages"
    shutil.copytree(sample_dir(), d)
    return d


def test_a_run_that_failed_before_publishing_reuses_its_shards(prefect_harness, pages, tmp_path, monkeypatch):
    out = tmp_path / "out"

    def crash(*args, **kwargs):
        raise OSError("killed")

    monkeypatch.setattr(flows, "validate_and_publish", crash)
    with pytest.raises(OSError):
        run([pages], out)
    kept = _entries(out)
    assert kept, "the finished shards were not kept in the output folder"
    monkeypatch.undo()

    def no_work(*args, **kwargs):
        raise AssertionError("a finished shard was processed again")

    monkeypatch.setattr(flows, "process_files", no_work)
    summary = run([pages], out)
    assert summary.published and summary.articles == 5
    assert _entries(out) == kept  # used by the run that published: kept (under the limit)


def test_the_cache_holds_only_the_last_publishing_run(prefect_harness, pages, tmp_path, monkeypatch):
    out = tmp_path / "out"
    run([pages], out)
    first = set(_entries(out))
    assert first
    for name in first:  # written an hour before the next run, not seconds
        os.utime(out / FOLDER / name, (0, (out / FOLDER / name).stat().st_mtime - 3600))
    extra = sorted(pages.iterdir())[0]
    (pages / "copy.txt").write_bytes(extra.read_bytes() + "\n补充：数字政府建设持续推进。\n".encode())
    run([pages], out)
    second = set(_entries(out))
    assert second and not (first & second)  # the first release's entries serve no later run
    monkeypatch.setenv("DGN_CACHE_MAX_BYTES", "0")
    (pages / "copy2.txt").write_bytes(extra.read_bytes() + "\n另讯：政务服务一网通办。\n".encode())
    run([pages], out)
    assert _entries(out) == {}
