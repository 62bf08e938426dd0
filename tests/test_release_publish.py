"""A publish end to end on small tables: layout, types, CSV safety, checksums, quarantine,
determinism, blocking, Frictionless and the dataset card's snippets."""
from __future__ import annotations

import hashlib
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dgn_rows import NOW, PAGE_REJECTS, RUN_INFO, article, good_tables
from pipeline.publish.release import ValidationBlocked, latest, publish_release
from pipeline.tables import RELEASED

pytestmark = pytest.mark.filterwarnings("ignore")

FORMULA_TITLE = "=HYPERLINK(\"http://evil\",\"数字政府\")"


def _input() -> dict:
    t = good_tables()
    t["articles"].append(article("a3", title=FORMULA_TITLE))
    t["articles"].append(article("bad", source="米乐m6体育官网", body=article("x")["body"] + "\n电话：13912345678"))
    t["people"].append({"article_id": "bad", "name": "钱七", "role": "mentioned", "evidence": "钱七"})
    return t


def _digests(release: Path, parts=("data", "csv")) -> dict[str, str]:
    files = [p for part in parts for p in sorted((release / part).rglob("*")) if p.is_file()] + [release / "rejected.parquet"]
    return {p.relative_to(release).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    first = publish_release(_input(), PAGE_REJECTS, RUN_INFO, out, now=NOW)
    shuffled = _input()
    for rows in shuffled.values():
        random.Random(7).shuffle(rows)
    second = publish_release(shuffled, list(reversed(PAGE_REJECTS)), RUN_INFO, out, now=NOW)
    return out, first, second


def test_layout_and_latest(published):
    out, first, second = published
    assert (first.version, second.version) == ("2026.11.23", "2026.11.23.1")
    rel = first.path
    for name in RELEASED:
        assert (rel / "data" / f"{name}.parquet" / "part-00000.parquet").is_file()
        assert (rel / "csv" / f"{name}.csv" / "part-00000.csv").is_file()
    for f in ("rejected.parquet", "datapackage.json", "README.md", "manifest.json", "SHA256SUMS",
              "validation/index.html", "validation/summary.json"):
        assert (rel / f).is_file(), f
    assert (out / "releases" / "LATEST").read_text().strip() == second.version
    assert latest(out) == second.path
    assert not list((out / "releases").glob(".tmp-*"))


def test_manifest(published):
    _, first, _ = published
    m = json.loads((first.path / "manifest.json").read_text("utf-8"))
    from pipeline import PIPELINE_VERSION

    assert m["version"] == first.version and m["schema_version"] == 1
    assert m["pipeline_version"] == PIPELINE_VERSION
    assert m["created_at"] == "2026-11-23T12:00:00+08:00"
    assert m["input_snapshot"] == RUN_INFO["input_snapshot"] and m["run"] == RUN_INFO
    assert m["row_counts"] == first.row_counts == {n: len(good_tables()[n]) + (n == "articles") for n in RELEASED}


def test_parquet_types_and_descriptions(published):
    rel = published[1].path
    arts = pq.read_table(rel / "data" / "articles.parquet")
    assert arts.schema.field("published_at").type == pa.timestamp("us", tz="Asia/Shanghai")
    assert arts.schema.field("authors").type == pa.list_(pa.string())
    assert arts.schema.field("body").metadata[b"description"].decode().startswith("Article text")
    assert FORMULA_TITLE in arts.column("title").to_pylist()
    events = pq.read_table(rel / "data" / "events.parquet")
    assert events.schema.field("date").type == pa.date32()
    assert json.loads(events.schema.metadata[b"dgn.column_descriptions"])["edition"]
    assert pq.ParquetFile(rel / "data" / "articles.parquet" / "part-00000.parquet").metadata.row_group(0).column(0).compression == "ZSTD"


def test_csv_bom_lists_and_formula_cells(published):
    rel = published[1].path
    raw = (rel / "csv" / "articles.csv" / "part-00000.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    import pandas as pd

    df = pd.read_csv(rel / "csv" / "articles.csv" / "part-00000.csv", encoding="utf-8-sig")
    assert "'" + FORMULA_TITLE in set(df["title"])
    assert not any(str(v).startswith(("=", "+", "-", "@")) for v in df["title"])
    assert json.loads(df.loc[df.article_id == "a2", "region_codes"].item()) == ["310000", "310101"]
    stats = pd.read_csv(rel / "csv" / "statistics.csv" / "part-00000.csv", encoding="utf-8-sig")
    assert set(stats["qualifier"]) == {"'=", ">"}
    assert stats["value"].max() == 3.9e12


def test_sha256sums_cover_every_file(published):
    rel = published[1].path
    listed = {}
    for line in (rel / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {p.relative_to(rel).as_posix() for p in rel.rglob("*") if p.is_file() and p.name != "SHA256SUMS"}
    assert set(listed) == files
    assert all(hashlib.sha256((rel / n).read_bytes()).hexdigest() == d for n, d in listed.items())


def test_quarantine_moves_bad_rows_and_keeps_the_rest(published):
    _, first, _ = published
    ids = pq.read_table(first.path / "data" / "articles.parquet").column("article_id").to_pylist()
    assert ids == ["a1", "a2", "a3"]
    rej = pq.read_table(first.path / "rejected.parquet").to_pylist()
    bad = [r for r in rej if r["table"] == "articles"]
    assert len(bad) == 1 and bad[0]["key"] == '["bad"]' and bad[0]["page_id"] == "p-bad"
    assert "[spam_source]" in bad[0]["expectation"]
    assert "[pii]" not in bad[0]["expectation"]  # redacted before validation, in every text column
    assert "13912345678" not in json.dumps(rej, ensure_ascii=False, default=str)
    assert [r["key"] for r in rej if r["table"] == "people"] == ['["bad", "钱七", "mentioned"]']
    assert first.rejected_counts == {"empty": 1, "failed_validation": 1}
    assert first.quarantined_rows == {"articles": 1, "people": 1}
    assert first.validation_ok and first.quarantined == 2
    assert first.validation_markdown.startswith("**Validation passed.**")
    assert "2 rows quarantined" in first.validation_markdown


def test_published_report_leaks_no_pii(published):
    _, first, _ = published
    pages = list((first.path / "validation").rglob("*.html"))
    assert any("/articles/input/" in p.as_posix() for p in pages)
    assert not any("13912345678" in p.read_text("utf-8") for p in pages)
    assert "13912345678" not in (first.path / "validation" / "summary.json").read_text("utf-8")


def test_same_rows_give_identical_data_files(published):
    _, first, second = published
    assert _digests(first.path) == _digests(second.path)


def test_blocked_release_publishes_nothing_and_latest_stays(published):
    out, _, second = published
    before = sorted(p.name for p in (out / "releases").iterdir())
    t = good_tables()
    t["articles"].append(article("a1", title="编号重复"))
    with pytest.raises(ValidationBlocked, match="expect_column_values_to_be_unique"):
        publish_release(t, PAGE_REJECTS, RUN_INFO, out, now=NOW)
    assert sorted(p.name for p in (out / "releases").iterdir()) == before
    assert latest(out) == second.path
    assert (out / "blocked" / "2026.11.23.2" / "index.html").is_file()


def test_frictionless_validates_the_datapackage(published):
    from frictionless import validate

    report = validate(str(published[1].path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    dp = json.loads((published[1].path / "datapackage.json").read_text("utf-8"))
    people = next(r for r in dp["resources"] if r["name"] == "people")
    assert people["schema"]["foreignKeys"][0]["reference"] == {"resource": "articles", "fields": ["article_id"]}
    assert people["path"] == ["csv/people.csv/part-00000.csv"] and people["dgn:parts"][0]["bytes"] > 0
    assert people["dgn:parts"][0]["sha256"] == hashlib.sha256(
        (published[1].path / "csv" / "people.csv" / "part-00000.csv").read_bytes()).hexdigest()
    assert people["dgn:parquet"][0]["sha256"] == hashlib.sha256(
        (published[1].path / "data" / "people.parquet" / "part-00000.parquet").read_bytes()).hexdigest()


def test_frictionless_catches_a_tampered_file(published, tmp_path):
    import shutil

    from frictionless import validate

    copy = tmp_path / "rel"
    shutil.copytree(published[1].path, copy)
    with open(copy / "csv" / "quotes.csv" / "part-00000.csv", "a", encoding="utf-8") as fh:
        fh.write("nowhere,某人,,捏造的话,direct\r\n")
    assert not validate(str(copy / "datapackage.json")).valid


def _snippets(card: str) -> dict[str, str]:
    blocks = re.findall(r"\n([^\n]+):\n\n```python\n(.*?)```", card, re.S)
    return {title: code for title, code in blocks}


@pytest.mark.parametrize("tool", ["pandas", "DuckDB", pytest.param("Hugging Face datasets", marks=pytest.mark.slow)])
def test_card_snippets_run_as_written(published, tool, tmp_path):
    if tool == "Hugging Face datasets":
        pytest.importorskip("datasets")
    rel = published[1].path
    code = _snippets((rel / "README.md").read_text("utf-8"))[tool]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "HF_HOME": str(tmp_path / "hf")}
    proc = subprocess.run([sys.executable, "-c", code], cwd=rel, capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip()


def test_card_says_what_a_user_needs(published):
    _, first, second = published
    card = (second.path / "README.md").read_text("utf-8")
    for heading in ("## Where it comes from", "## How it was built", "## Row counts", "## Validation",
                    "## Changes since the previous release", "## Fields", "## Known limits", "## License",
                    "## How to load it"):
        assert heading in card
    assert "| articles | 3 |" in card
    assert f"From release {first.version} to {second.version}" in card
    assert "| `published_at` | timestamp[us, tz=Asia/Shanghai] |" in card
    assert "| `body` | string (required) |" in card
    assert "This is the first release." in (first.path / "README.md").read_text("utf-8")
    # one vocabulary with the CLI: pages by reason, quarantined child rows apart (issue 15)
    assert "by reason (the same counts `dgn run` prints): empty 1, failed_validation 1." in card
    assert "Rows quarantined by validation, by table (" in card and "people 1." in card


def test_unvalidated_publish_says_so(tmp_path):
    result = publish_release(good_tables(), [], RUN_INFO, tmp_path, now=NOW, validate=False)
    assert result.validation_ok and result.expectation_results == []
    assert not (result.path / "validation").exists()
    assert "Validation was skipped" in (result.path / "README.md").read_text("utf-8")


def test_concurrent_publishes_take_turns(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: publish_release(good_tables(), [], RUN_INFO, tmp_path, now=NOW,
                                                          validate=False), range(2)))
    assert sorted(r.version for r in results) == ["2026.11.23", "2026.11.23.1"]
    assert _digests(results[0].path) == _digests(results[1].path)
    assert latest(tmp_path).name in {r.version for r in results}


def test_leftovers_of_a_killed_publish_are_swept(tmp_path):
    stale = tmp_path / "releases" / ".tmp-2026.11.23-999999"
    (stale / "data").mkdir(parents=True)
    (stale / "data" / "articles.parquet").write_bytes(b"half")
    result = publish_release(good_tables(), [], RUN_INFO, tmp_path, now=NOW, validate=False)
    assert not stale.exists() and result.version == "2026.11.23"
    assert sorted(p.name for p in (tmp_path / "releases").iterdir()) == [".lock", "2026.11.23", "LATEST"]


@pytest.mark.slow
def test_a_copy_of_a_quarantined_article_names_no_article(tmp_path):
    """Issue 14, item 10: duplicate_of never points at an article the release does not hold."""
    dup = {"page_id": "p-copy", "path": "copy.html", "url": None, "stage": "dedupe", "reason": "duplicate_of",
           "detail": "copy", "duplicate_of": "bad"}
    keep = {**dup, "page_id": "p-copy2", "duplicate_of": "a1"}
    result = publish_release(_input(), [*PAGE_REJECTS, dup, keep], RUN_INFO, tmp_path / "out", now=NOW)
    rows = {r["page_id"]: r for r in pq.read_table(result.path / "rejected.parquet").to_pylist()}
    assert rows["p-copy"]["reason"] == "failed_validation" and rows["p-copy"]["duplicate_of"] is None
    assert "bad" in rows["p-copy"]["detail"]
    assert rows["p-copy2"]["reason"] == "duplicate_of" and rows["p-copy2"]["duplicate_of"] == "a1"
