"""Files an earlier run read are known by their stats: an incremental run and the "nothing new"
check do not open them again, and a file that changed in any way is read again. Stamped with
the release the run made, the known files answer "nothing new?" from the listing alone, without
the release's page ids; any doubt falls back to the check that reads them."""
import json
import os

import pyarrow.parquet as pq
import pytest

from pipeline.ingest import discover, page_id, read_source
from pipeline.ingest.known import FILE, KnownFiles, covered
from pipeline.run.incremental import release_token
from pipeline.run.preflight import nothing_new, result_options, run_inputs
from pipeline.run.stages import process_files

OPTIONS = {"min_chars": 120}


def _page(folder, name, text):
    p = folder / name
    p.write_text(f"<html><body><p>{text}</p></body></html>", encoding="utf-8")
    return p


def _ids(src):
    return tuple(page_id(p) for p in read_source(src))


def _known_after_reading(tmp_path, files):
    known = KnownFiles(tmp_path / "out", OPTIONS)
    known.record((f, _ids(f)) for f in files)
    known.save(files)
    return KnownFiles.load(tmp_path / "out", OPTIONS)


def test_a_known_file_whose_pages_the_release_holds_is_not_read(tmp_path):
    _page(tmp_path, "a.html", "数字政府建设")
    _page(tmp_path, "b.html", "政务服务一网通办")
    files, _ = discover([tmp_path])
    known = _known_after_reading(tmp_path, files)
    seen = frozenset(i for f in files for i in _ids(f))
    assert known.split(files, seen) == ([], 2)
    missing_b = seen - set(_ids(files[1]))
    assert known.split(files, missing_b) == ([files[1]], 1)


def test_a_file_rewritten_with_its_mtime_set_back_is_read_again(tmp_path):
    p = _page(tmp_path, "a.html", "数字政府建设")
    files, _ = discover([tmp_path])
    known = _known_after_reading(tmp_path, files)
    seen = frozenset(_ids(files[0]))
    st = p.stat()
    _page(tmp_path, "a.html", "数字政府改革")  # same size, other bytes
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    again, _ = discover([tmp_path])
    assert again[0].size == files[0].size and again[0].mtime_ns == files[0].mtime_ns
    assert known.split(again, seen) == (again, 0)


def test_other_options_or_code_make_the_cache_unused(tmp_path):
    _page(tmp_path, "a.html", "数字政府建设")
    files, _ = discover([tmp_path])
    _known_after_reading(tmp_path, files)
    assert KnownFiles.load(tmp_path / "out", OPTIONS).pages
    assert not KnownFiles.load(tmp_path / "out", {"min_chars": 50}).pages
    (tmp_path / "out" / FILE).write_bytes(b"not parquet")
    assert not KnownFiles.load(tmp_path / "out", OPTIONS).pages


def test_the_cache_keeps_only_the_files_listed_by_the_last_run(tmp_path):
    _page(tmp_path, "a.html", "数字政府建设")
    _page(tmp_path, "b.html", "政务服务一网通办")
    files, _ = discover([tmp_path])
    known = _known_after_reading(tmp_path, files)
    known.save(files[:1])
    assert len(KnownFiles.load(tmp_path / "out", OPTIONS).pages) == 1


def test_a_shard_remembers_the_files_it_read_whole_but_not_one_that_failed(tmp_path, monkeypatch):
    _page(tmp_path, "a.html", "数字政府建设")
    _page(tmp_path, "b.html", "政务服务一网通办")
    files, _ = discover([tmp_path])
    real = read_source

    def flaky(src, *a, **k):
        if src.path.endswith("b.html"):
            raise OSError("device went away")
        return real(src, *a, **k)

    monkeypatch.setattr("pipeline.run.stages.read_source", flaky)
    out = process_files(files, seen=frozenset(_ids(files[0])))
    assert out.unchanged == 1
    assert out.files == [(files[0], _ids(files[0]))]
    assert [r["reason"] for r in out.rejected] == ["ingest_error"]


def test_nothing_new_answers_without_opening_a_known_page(sample_release, monkeypatch):
    _, _, out = sample_release
    assert (out / FILE).is_file()

    def no_read(*a, **k):
        raise AssertionError("a known page was read")

    monkeypatch.setattr("pipeline.ingest.read_source", no_read)
    summary = nothing_new(run_inputs(None), out, result_options(0.05, 120))
    assert summary is not None and summary.unchanged_pages == 5


def test_nothing_new_reads_a_copy_it_does_not_know(sample_release, tmp_path):
    import shutil

    _, _, out = sample_release
    copy = tmp_path / "pages"
    shutil.copytree(run_inputs(None)[0], copy)
    assert nothing_new([str(copy)], out, result_options(0.05, 120)).unchanged_pages == 5
    first = sorted(p for p in copy.rglob("*") if p.is_file() and p.suffix in (".html", ".htm", ".txt"))[0]
    first.write_bytes(first.read_bytes() + b"\n<!-- changed -->")
    assert nothing_new([str(copy)], out, result_options(0.05, 120)) is None


def test_a_file_name_that_is_not_utf8_is_remembered(tmp_path):
    import sys

    if sys.platform != "linux":
        pytest.skip("byte file names")
    name = os.fsdecode(b"bad\xff.html")
    _page(tmp_path, name, "数字政府建设")
    files, _ = discover([tmp_path])
    known = _known_after_reading(tmp_path, files)
    assert known.split(files, frozenset(_ids(files[0]))) == ([], 1)


def _two_files(tmp_path):
    _page(tmp_path, "a.html", "数字政府建设")
    _page(tmp_path, "b.html", "政务服务一网通办")
    return discover([tmp_path])[0]


def test_a_cache_counts_the_pages_of_the_files_it_knows_only_for_its_release(tmp_path):
    files = _two_files(tmp_path)
    known = KnownFiles(tmp_path / "out", OPTIONS)
    known.record((f, _ids(f)) for f in files)
    known.save(files, "2026.01.01:abc")
    assert covered(tmp_path / "out", OPTIONS, "2026.01.01:abc", files) == 2
    assert covered(tmp_path / "out", OPTIONS, "2026.01.01:abc", files[1:]) == 1
    assert covered(tmp_path / "out", OPTIONS, "2026.01.02:def", files) is None
    assert covered(tmp_path / "out", {"min_chars": 50}, "2026.01.01:abc", files) is None
    _page(tmp_path, "c.html", "一网统管")
    assert covered(tmp_path / "out", OPTIONS, "2026.01.01:abc", discover([tmp_path])[0]) is None


def test_a_file_changed_since_is_not_counted(tmp_path):
    files = _two_files(tmp_path)
    known = KnownFiles(tmp_path / "out", OPTIONS)
    known.record((f, _ids(f)) for f in files)
    known.save(files, "r:1")
    p = tmp_path / "a.html"
    st = p.stat()
    _page(tmp_path, "a.html", "数字政府改革")  # same size, other bytes, the mtime set back
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert covered(tmp_path / "out", OPTIONS, "r:1", discover([tmp_path])[0]) is None


def test_only_files_this_run_read_or_found_in_the_release_are_stamped(tmp_path):
    files = _two_files(tmp_path)
    first = KnownFiles(tmp_path / "out", OPTIONS)
    first.record((f, _ids(f)) for f in files)
    first.save(files)  # a run whose release was blocked: both files known, no release stamped
    known = KnownFiles.load(tmp_path / "out", OPTIONS)
    a, b = files
    assert known.split(files, frozenset(_ids(a))) == ([b], 1)  # a's pages are in the release
    known.save(files, "r:1")  # b was to be read again, but its read failed: not recorded
    assert covered(tmp_path / "out", OPTIONS, "r:1", files) is None
    assert covered(tmp_path / "out", OPTIONS, "r:1", [a]) == 1
    assert set(KnownFiles.load(tmp_path / "out", OPTIONS).pages) == {tuple(a[:1]) + tuple(a[2:])}


def test_the_run_that_publishes_stamps_the_cache_and_the_check_needs_no_page_ids(sample_release, monkeypatch):
    _, release, out = sample_release
    meta = pq.ParquetFile(out / FILE).schema_arrow.metadata
    assert meta[b"dgn_release"].decode() == release_token(release)

    def no_ids(*a, **k):
        raise AssertionError("the release's page ids were read")

    monkeypatch.setattr("pipeline.run.incremental.seen_pages", no_ids)
    monkeypatch.setattr("pipeline.ingest.read_source", no_ids)
    summary = nothing_new(run_inputs(None), out, result_options(0.05, 120))
    manifest = json.loads((release / "manifest.json").read_text("utf-8"))
    assert summary is not None and not summary.published
    assert (summary.unchanged_pages, summary.articles, summary.pages_in) == (
        5, manifest["row_counts"]["articles"], manifest["run"]["pages_in"])


def test_a_release_made_again_under_the_same_name_is_another_release(sample_release, tmp_path):
    import shutil

    _, release, out = sample_release
    copy = tmp_path / "out"
    shutil.copytree(out, copy, symlinks=True)
    token = release_token(copy / "releases" / release.name)
    manifest = copy / "releases" / release.name / "manifest.json"
    os.chmod(manifest, 0o644)
    manifest.write_text(manifest.read_text("utf-8").replace('"created_at": "', '"created_at": "0'), "utf-8")
    assert release_token(copy / "releases" / release.name) != token
    files = discover(run_inputs(None))[0]
    assert covered(copy, result_options(0.05, 120), token, files) == 5
    assert covered(copy, result_options(0.05, 120), release_token(copy / "releases" / release.name), files) is None
