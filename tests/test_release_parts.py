"""A release as immutable parts: an incremental publish links the previous release's parts,
rewrites only the parts whose rows change, and reads back as the release a full run makes."""
from __future__ import annotations

import copy
import hashlib
import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dgn_rows import NOW, RUN_INFO, article
from pipeline.publish import layout
from pipeline.publish.release import check_release, publish_release
from pipeline.run.incremental import load_prior, merge
from pipeline.tables import RELEASED, to_arrow

pytestmark = pytest.mark.filterwarnings("ignore")

OLD = ["a1", "a2", "a3", "a4", "a5"]
NEW = ["a6", "a7"]
ORG = "中国信息通信研究院"


def rows_of(ids: list[str], dups: dict[str, int] | None = None) -> dict[str, list[dict]]:
    """Articles ``ids`` with a person, a quote and a statistic each, and one organization."""
    dups = dups or {}
    return copy.deepcopy({
        "articles": [article(a, duplicate_count=dups.get(a, 0)) for a in ids],
        "people": [{"article_id": a, "name": "王志勤", "title": "副院长", "organization": ORG,
                    "organization_raw": "中国信通院", "role": "speaker", "evidence": f"王志勤在致辞中表示 {a}"}
                   for a in ids],
        "organizations": [{"name": ORG, "aliases": ["中国信通院"], "type": "research", "article_count": len(ids)}],
        "events": [],
        "statistics": [{"article_id": a, "subject": "网办率", "value": 0.9, "unit": "%", "qualifier": ">",
                        "raw": "90%以上", "as_of": None, "region_code": None, "evidence": f"网办率达90%以上 {a}"}
                       for a in ids],
        "documents": [],
        "quotes": [{"article_id": a, "speaker": "王志勤", "speaker_title": "副院长",
                    "text": f"数字政府是重要引擎 {a}", "kind": "indirect"} for a in ids],
    })


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def data_digests(folder: Path) -> dict[str, str]:
    return {k: v for k, v in digests(folder).items() if k.startswith(("data/", "csv/"))}


def as_set(table) -> list[str]:
    return sorted(json.dumps(r, ensure_ascii=False, sort_keys=True, default=str) for r in table.to_pylist())


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """Five articles published in parts of two rows; then two new pages and a copy of ``a3``
    published incrementally; and the same seven articles published in one full run."""
    root = tmp_path_factory.mktemp("parts")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(layout, "PART_ROWS", 2)
        mp.setattr(layout, "PART_ROWS_OF", {})
        out = root / "out"
        first = publish_release(rows_of(OLD), [], RUN_INFO, out, now=NOW)
        before = digests(first.path)
        prior = load_prior(out)
        new = rows_of(NEW)
        copy_of_a3 = article("a3", page_id="p-a3-copy", url="https://www.example.gov.cn/copy.html")
        new["articles"].append(copy_of_a3)
        new["people"].append({**new["people"][0], "article_id": "a3"})
        new["organizations"][0]["article_count"] = len(NEW)
        tables, rejected, carry = merge(prior, {n: to_arrow(n, new[n]) for n in RELEASED}, [])
        second = publish_release(tables, rejected, {**RUN_INFO, "pages_in": 8}, out, now=NOW,
                                 carried_rejected=prior.rejected, carry=carry)
        full = publish_release(rows_of(OLD + NEW, {"a3": 1}), rejected, RUN_INFO, root / "full", now=NOW)
        again = publish_release(rows_of(OLD + NEW, {"a3": 1}), rejected, RUN_INFO, root / "again", now=NOW)
    return first, before, second, full, again, carry


def manifest(rel) -> dict:
    return json.loads((rel.path / "manifest.json").read_text("utf-8"))


def test_merge_reads_keys_and_counts_the_duplicate(releases):
    *_, carry = releases
    assert carry.duplicate_add == {"a3": 1}


def test_unchanged_parts_are_hard_links(releases):
    first, _, second, *_ = releases
    for kind, ext in (("data", "parquet"), ("csv", "csv")):
        for part in ("part-00000", "part-00002"):
            old, new = first.path / kind / f"articles.{ext}" / f"{part}.{ext}", second.path / kind / f"articles.{ext}" / f"{part}.{ext}"
            assert os.stat(old).st_ino == os.stat(new).st_ino, new
        for name in ("people", "statistics", "quotes"):
            for part in layout.table_files(first.path, name, kind):
                assert os.stat(part).st_ino == os.stat(second.path / part.relative_to(first.path)).st_ino


def test_the_old_release_is_byte_unchanged(releases):
    first, before, *_ = releases
    assert digests(first.path) == before
    assert check_release(first.path) is None


def test_a_duplicate_of_an_old_article_rewrites_only_its_part(releases):
    first, _, second, *_ = releases
    parts = {p["part"]: p for p in manifest(second)["parts"]["articles"]}
    assert {n: p["release"] for n, p in parts.items()} == {
        0: first.version, 2: first.version, 3: second.version, 4: second.version}
    assert not (second.path / "data" / "articles.parquet" / "part-00001.parquet").exists()
    rewritten = pq.read_table(second.path / "data" / "articles.parquet" / "part-00003.parquet").to_pylist()
    assert [(r["article_id"], r["duplicate_count"]) for r in rewritten] == [("a3", 1), ("a4", 0)]
    added = pq.read_table(second.path / "data" / "articles.parquet" / "part-00004.parquet").column("article_id").to_pylist()
    assert added == NEW
    # the copy's person is not added: the old article keeps its rows
    assert pq.read_table(second.path / "data" / "people.parquet").num_rows == len(OLD + NEW)


def test_the_folder_reads_as_the_full_run(releases):
    _, _, second, full, *_ = releases
    for name in RELEASED:
        assert as_set(pq.read_table(second.path / "data" / f"{name}.parquet")) == as_set(pq.read_table(full.path / "data" / f"{name}.parquet")), name
    assert manifest(second)["row_counts"] == manifest(full)["row_counts"]


def test_checksums_cover_every_part_and_carried_ones_are_not_rehashed(releases):
    first, _, second, *_ = releases
    assert check_release(second.path) is None
    listed = {line.split("  ", 1)[1] for line in (second.path / "SHA256SUMS").read_text("utf-8").splitlines()}
    assert {k for k in digests(second.path) if k != "SHA256SUMS"} == listed
    old = manifest(first)["files"]
    for k, v in manifest(second)["files"].items():
        if k in old and k.startswith("data/articles.parquet/part-00000"):
            assert v == old[k]


def test_validation_ran_on_the_new_rows_and_keys_over_all(releases):
    first, _, second, *_ = releases
    summary = json.loads((second.path / "validation" / "summary.json").read_text("utf-8"))
    assert summary["rows_in"]["articles"] == len(NEW)
    assert summary["carried_rows"]["articles"] == len(OLD) and summary["carried_from"] == first.version
    assert f"kept from release {first.version}" in second.validation_markdown
    assert f"keeps from release {first.version}" in (second.path / "validation" / "index.html").read_text("utf-8")
    key = next(r for r in second.expectation_results
               if r["table"] == "articles" and r["expectation"] == "expect_column_values_to_be_unique")
    assert key["success"]
    written = manifest(second)["validation"]["parts_written"]["articles"]
    assert written == ["data/articles.parquet/part-00003.parquet", "data/articles.parquet/part-00004.parquet"]


def test_a_new_row_repeating_a_carried_key_blocks(releases, tmp_path):
    """Uniqueness covers the carried parts: a new people row equal to an old one is caught."""
    import shutil

    from pipeline.publish.parts import Carry
    from pipeline.publish.release import ValidationBlocked

    first, *_ = releases
    out = tmp_path / "out"
    shutil.copytree(first.path.parent, out / "releases")
    rel = out / "releases" / first.version
    new = rows_of(["a9"])
    new["people"].append(rows_of(["a1"])["people"][0])
    with pytest.raises(ValidationBlocked, match="expect_compound_columns_to_be_unique"):
        publish_release(new, [], RUN_INFO, out, now=NOW,
                        carry=Carry(rel, json.loads((rel / "manifest.json").read_text("utf-8"))))


def test_dgn_validate_checks_every_part(releases, capsys):
    from pipeline import cli
    from pipeline.validate import validate_release

    _, _, second, *_ = releases
    report = validate_release(second.path)
    assert report.rows_in["articles"] == len(OLD + NEW) and report.all_passed
    assert cli.main(["validate", str(second.path)]) == 0


def test_a_full_run_twice_is_byte_identical(releases):
    *_, full, again, _ = releases
    assert len(layout.table_files(full.path, "articles")) == 4
    assert data_digests(full.path) == data_digests(again.path)


def test_every_csv_part_is_a_whole_csv_and_frictionless_reads_them_as_one(releases):
    from frictionless import validate

    _, _, second, *_ = releases
    for part in layout.table_files(second.path, "articles", "csv"):
        assert part.read_bytes().startswith("\ufeffarticle_id,".encode("utf-8"))
    report = validate(str(second.path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_diff_reads_only_the_parts_that_differ(releases):
    _, _, second, *_ = releases
    arts = manifest(second)["diff"]["tables"]["articles"]
    assert (arts["added"], arts["changed"], arts["removed"], arts["unchanged"]) == (2, 1, 0, 4)


def test_readers_take_the_parts(releases):
    from pipeline.dedupe.history import load_index

    _, _, second, *_ = releases
    assert len(load_index(second.path)) == len(OLD + NEW)
    assert layout.read_table(second.path, "articles", ["article_id"]).num_rows == len(OLD + NEW)


def test_the_dedupe_index_is_cached_and_the_same(releases, tmp_path):
    import shutil

    import numpy as np

    from pipeline.dedupe.history import CACHE_DIR, load_index

    _, _, second, *_ = releases
    shutil.rmtree(second.path.parent.parent / CACHE_DIR, ignore_errors=True)
    cold = load_index(second.path)
    cached = list((second.path.parent.parent / CACHE_DIR).glob("*.npz"))
    assert [p.name for p in cached] == [f"{second.version}.npz"]
    warm = load_index(second.path)
    assert warm.article_ids == cold.article_ids and warm.exact_rows == cold.exact_rows
    assert np.array_equal(warm.sigs, cold.sigs) and np.array_equal(warm.keys, cold.keys)


def test_a_release_of_one_file_a_table_is_carried_as_part_zero(releases, tmp_path):
    """A release written before the parts (``data/<table>.parquet``): the next incremental one
    links each file as its table's part 0 and reads back whole."""
    from pipeline.publish.csv_export import write_csv
    from pipeline.publish.release import _write_sums, sha256_file, write_parquet

    first, *_ = releases
    out = tmp_path / "out"
    old = out / "releases" / first.version
    old.mkdir(parents=True)
    files = {}
    for name in RELEASED:
        table = pq.read_table(first.path / "data" / f"{name}.parquet")
        write_parquet(table, old / "data" / f"{name}.parquet")
        write_csv(table, old / "csv" / f"{name}.csv")
        for rel in (f"data/{name}.parquet", f"csv/{name}.csv"):
            digest, size = sha256_file(old / rel)
            files[rel] = {"sha256": digest, "bytes": size}
    (old / "rejected.parquet").write_bytes((first.path / "rejected.parquet").read_bytes())
    m = {k: v for k, v in manifest(first).items() if k != "parts"}
    (old / "manifest.json").write_text(json.dumps({**m, "files": files}), "utf-8")
    _write_sums(old)
    (out / "releases" / "LATEST").write_text(first.version + "\n")
    prior = load_prior(out)
    assert prior is not None and prior.articles == len(OLD)
    new = rows_of(NEW)
    tables, rejected, carry = merge(prior, {n: to_arrow(n, new[n]) for n in RELEASED}, [])
    later = NOW.replace(day=NOW.day + 1)
    third = publish_release(tables, rejected, RUN_INFO, out, now=later, carried_rejected=prior.rejected, carry=carry)
    linked = third.path / "data" / "articles.parquet" / "part-00000.parquet"
    assert os.stat(linked).st_ino == os.stat(old / "data" / "articles.parquet").st_ino
    assert pq.read_table(third.path / "data" / "articles.parquet").num_rows == len(OLD + NEW)
    assert check_release(third.path) is None
