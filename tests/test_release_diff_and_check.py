"""`dgn diff` and `dgn validate` on published releases."""
from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from dgn_rows import NOW, PAGE_REJECTS, RUN_INFO, article, good_tables
from pipeline.publish.diff import diff_releases, render_markdown
from pipeline.publish.release import publish_release
from pipeline.validate import validate_release

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    old = publish_release(good_tables(), PAGE_REJECTS, RUN_INFO, out, now=NOW, validate=False)
    t = good_tables()
    t["articles"][1]["title"] = "一网通办改革再提速(更新)"
    t["articles"].append(article("a9"))
    t["quotes"] = []
    new = publish_release(t, PAGE_REJECTS, RUN_INFO, out, now=NOW, validate=False)
    return old, new


def test_diff_counts_rows_by_key(two_releases):
    old, new = two_releases
    d = diff_releases(old.path, new.path)
    assert (d["old"], d["new"]) == (old.version, new.version)
    arts = d["tables"]["articles"]
    assert (arts["added"], arts["removed"], arts["changed"], arts["unchanged"]) == (1, 0, 1, 1)
    assert arts["examples"] == {"added": ['["a9"]'], "removed": [], "changed": ['["a2"]']}
    assert d["tables"]["quotes"]["removed"] == 1 and d["tables"]["people"]["changed"] == 0
    assert "| articles | 2 | 3 | 1 | 0 | 1 |" in render_markdown(d)


def test_diff_goes_into_the_new_card_and_manifest(two_releases):
    old, new = two_releases
    assert "| articles | 2 | 3 | 1 | 0 | 1 |" in (new.path / "README.md").read_text("utf-8")
    import json

    m = json.loads((new.path / "manifest.json").read_text("utf-8"))
    assert m["previous"] == old.version and m["diff"]["tables"]["quotes"]["removed"] == 1


def test_validate_release_passes_a_good_release(two_releases, tmp_path):
    report = validate_release(two_releases[1].path, docs_dir=tmp_path / "docs")
    assert report.all_passed and report.ok
    assert (tmp_path / "docs" / "index.html").is_file()


def test_validate_release_fails_a_tampered_release(two_releases, tmp_path):
    import shutil

    rel = tmp_path / "rel"
    shutil.copytree(two_releases[1].path, rel)
    path = rel / "data" / "articles.parquet" / "part-00000.parquet"
    table = pq.read_table(path)
    titles = table.column("title").to_pylist()
    titles[0] = "举报电话 13812345678"
    table = table.set_column(table.schema.get_field_index("title"), table.schema.field("title"),
                             [titles])
    pq.write_table(table, path)
    report = validate_release(rel)
    failed = {(r["table"], r["column"], r["family"]) for r in report.results if not r["success"]}
    assert failed == {("articles", "title", "pii")}
    assert not report.ok
