"""A run's memory does not grow with the release: the spooled tables are sorted a bucket at a
time into Parquet files, an incremental merge filters them a batch at a time, and the run that
publishes a release leaves the dedupe index of that release cached for the next run."""
from __future__ import annotations

import dataclasses
import shutil

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dgn_rows import BODY, NOW, RUN_INFO
from dgn_rows import article as _article

from pipeline.dedupe import history
from pipeline.dedupe.ids import article_id
from pipeline.dedupe.near import signature
from pipeline.publish.release import publish_release
from pipeline.publish.stream import TableSource
from pipeline.run import staging
from pipeline.run.incremental import load_prior, merge
from pipeline.tables import RELEASED, TABLES, sort_by_key, to_arrow

pytestmark = pytest.mark.filterwarnings("ignore")


def _people(shard: int) -> list[dict]:
    """People rows of one shard: keys spread over the range, one null article id, and a
    repeated (article_id, name, role) so that ties must keep their order."""
    rows = []
    for i in range(40):
        aid = None if (shard, i) == (1, 3) else f"{(i * 7 + shard * 13) % 97:03d}"
        rows.append({"article_id": aid, "name": f"人{i % 5}", "role": "mentioned", "evidence": f"s{shard} r{i}"})
    rows.append({"article_id": "050", "name": "人0", "role": "mentioned", "evidence": f"tie from shard {shard}"})
    return rows


def test_the_spool_sorts_in_buckets_as_one_sort_would(tmp_path, monkeypatch):
    shards = [_people(s) for s in range(4)]
    spool = staging.TableSpool(tmp_path / "tables")
    for rows in shards:
        spool.add("people", rows)
    monkeypatch.setattr(staging, "BUCKET_BYTES", 2_000)
    out = spool.finish(("people", "quotes"))
    src = out["people"]
    assert len(src.files) > 3  # cut into buckets, each sorted alone
    whole = sort_by_key("people", pa.concat_tables([to_arrow("people", r) for r in shards]))
    assert src.read().to_pylist() == whole.to_pylist()
    assert out["quotes"].num_rows == 0


def test_bucket_bounds_keep_equal_keys_together():
    values = pa.array(["b", None, "a", "c", "bb", "", "b"])
    assert staging.bucket_of(values, ["b", "c"]).tolist() == [1, 0, 0, 2, 1, 0, 1]


OLD = ["a1", "a2", "a3"]


def article(aid: str) -> dict:
    """An article whose body is its own."""
    body = f"{BODY}\n{aid}号文件提出，到2025年建成一体化政务大数据体系。"
    return _article(aid, body=body, char_count=len(body))


def _tables(ids: list[str]) -> dict[str, pa.Table]:
    rows = {n: [] for n in RELEASED}
    rows["articles"] = [article(a) for a in ids]
    rows["people"] = [{"article_id": a, "name": "王志勤", "role": "speaker", "evidence": f"王志勤 {a}"} for a in ids]
    rows["organizations"] = [{"name": "国家数据局", "aliases": [], "type": "government", "article_count": len(ids)}]
    return {n: to_arrow(n, r) for n, r in rows.items()}


@pytest.fixture(scope="module")
def _first_release(tmp_path_factory):
    out = tmp_path_factory.mktemp("first") / "out"
    return out, publish_release(_tables(OLD), [], RUN_INFO, out, now=NOW)


@pytest.fixture
def published(_first_release, tmp_path):
    """An output folder of its own holding the release of ``OLD`` (a copy of one publish: a
    publish is mostly its validation's CPU)."""
    src, first = _first_release
    out = tmp_path / "out"
    shutil.copytree(src, out, symlinks=True)
    return out, dataclasses.replace(first, path=out / first.path.relative_to(src))


def test_merge_to_files_is_the_merge_in_memory(published, tmp_path):
    out, _ = published
    prior = load_prior(out)
    new = _tables(["a3", "a4", "a5"])  # a3 is an old article
    in_memory, rej_a, carry_a = merge(prior, new, [])
    on_disk, rej_b, carry_b = merge(prior, {n: TableSource.of(n, t) for n, t in new.items()}, [], tmp_path / "m")
    assert isinstance(on_disk["articles"], TableSource) and on_disk["articles"].files
    for name in RELEASED:
        assert TableSource.of(name, on_disk[name]).read().equals(TableSource.of(name, in_memory[name]).read())
    assert [a["article_id"] for a in in_memory["articles"].to_pylist()] == ["a4", "a5"]
    assert rej_a == rej_b and carry_a.duplicate_add == carry_b.duplicate_add == {"a3": 1}


def _cache(out) -> dict:
    files = list((out / history.CACHE_DIR).glob("*.npz"))
    assert len(files) == 1
    with np.load(files[0], allow_pickle=False) as z:
        return {k: z[k] for k in z.files} | {"name": files[0].name}


def _signed(ids: list[str]) -> dict:
    """What a run holds of its pages (``dedupe.lights.light``): page id -> (content id, signature)."""
    out = {}
    for a in ids:
        row = article(a)
        out[row["page_id"]] = (article_id(row["body"]), signature(row["body"]))
    return out


def _assert_same_as_load_index(out, release):
    written = _cache(out)
    shutil.rmtree(out / history.CACHE_DIR)
    history.load_index(release)
    computed = _cache(out)
    assert written["name"] == computed["name"] == f"{release.name}.npz"
    for k in ("stamp", "ids", "pages", "contents", "sigs"):
        assert np.array_equal(written[k], computed[k]), k


def test_the_published_release_leaves_its_index_cached(published, monkeypatch):
    out, first = published
    history.write_index(out, first.path, _signed(OLD))
    monkeypatch.setattr(history, "signature", lambda *a, **k: pytest.fail("signed a body already signed"))
    index = history.load_index(out)
    assert index.article_ids == tuple(sorted(OLD))
    monkeypatch.undo()
    _assert_same_as_load_index(out, first.path)


def test_an_incremental_release_extends_the_cache(published, monkeypatch):
    out, _ = published
    history.load_index(out)  # the run's own load: caches the previous release
    prior = load_prior(out)
    tables, rejected, carry = merge(prior, _tables(["a4"]), [])
    second = publish_release(tables, rejected, RUN_INFO, out, now=NOW, carried_rejected=prior.rejected, carry=carry)
    calls = []
    real = history.signature
    monkeypatch.setattr(history, "signature", lambda *a, **k: calls.append(1) or real(*a, **k))
    history.write_index(out, second.path, _signed(["a4"]))
    assert calls == []  # old articles from the cache, the new one from the run
    monkeypatch.undo()
    _assert_same_as_load_index(out, second.path)


def test_a_signature_for_another_body_is_not_trusted(published):
    """The run's signature of a page whose released body differs (a last redaction) is not
    used: the body is signed, and the cache is still what ``load_index`` computes."""
    out, first = published
    wrong = {p: ("not the content id", np.zeros_like(s)) for p, (_, s) in _signed(OLD).items()}
    history.write_index(out, first.path, wrong)
    assert not (_cache(out)["sigs"] == 0).all()
    _assert_same_as_load_index(out, first.path)


def test_a_stale_cache_falls_back_to_signing(published):
    out, first = published
    history.write_index(out, first.path, _signed(OLD))
    f = next((out / history.CACHE_DIR).glob("*.npz"))
    with np.load(f) as z:
        data = {k: z[k] for k in z.files}
    np.savez(f, **{**data, "stamp": np.array("another pipeline version")})
    index = history.load_index(out)
    assert len(index) == len(OLD)
    _assert_same_as_load_index(out, first.path)


def test_the_schema_of_sorted_files_is_the_table_schema(tmp_path):
    spool = staging.TableSpool(tmp_path / "t")
    spool.add("articles", [article("b"), article("a")])
    src = spool.finish(("articles",))["articles"]
    assert pq.read_schema(src.files[0]).equals(TABLES["articles"].schema, check_metadata=False)
    assert src.read().column("article_id").to_pylist() == ["a", "b"]


def test_a_run_leaves_the_index_of_its_release(prefect_harness, tmp_path):
    from pathlib import Path

    from pipeline.flows import run, sample_dir

    out = tmp_path / "out"
    summary = run([sample_dir()], out)
    assert summary.articles
    _assert_same_as_load_index(out, Path(summary.release))
