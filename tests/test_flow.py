"""The whole flow end to end on the bundled sample pages."""
import hashlib
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.run.assemble import TABLES
from pipeline.flows import run, sample_dir


def test_samples_are_the_seeds():
    assert len(list(sample_dir().glob("*.txt"))) >= 5


def test_accounting_and_release_layout(sample_release):
    summary, rel, out = sample_release
    assert summary.pages_in == 5
    assert summary.pages_in == summary.articles + summary.duplicates + sum(summary.rejected.values())
    assert summary.articles == 5, summary.line()
    assert (out / "releases" / "LATEST").read_text().strip() == rel.name
    for t in TABLES:
        assert (rel / "data" / f"{t}.parquet" / "part-00000.parquet").is_file(), t
        assert (rel / "csv" / f"{t}.csv" / "part-00000.csv").read_bytes().startswith(b"\xef\xbb\xbf"), t
    for f in ("manifest.json", "SHA256SUMS", "datapackage.json", "README.md", "rejected.parquet",
              "validation/index.html", "validation/summary.json"):
        assert (rel / f).is_file(), f


def test_checksums_match(sample_release):
    _, rel, _ = sample_release
    lines = (rel / "SHA256SUMS").read_text().splitlines()
    assert lines
    for line in lines:
        digest, name = line.split(maxsplit=1)
        assert hashlib.sha256((rel / name.lstrip("*")).read_bytes()).hexdigest() == digest, name


def test_parquet_types_load_back(sample_release):
    _, rel, _ = sample_release
    t = pq.read_table(rel / "data" / "articles.parquet")
    assert pa.types.is_timestamp(t.schema.field("published_at").type)
    assert t.schema.field("published_at").type.tz == "Asia/Shanghai"
    assert pa.types.is_list(t.schema.field("flags").type)
    assert t.schema.field("body").metadata  # column descriptions travel with the data
    df = pd.read_parquet(rel / "data" / "articles.parquet")
    assert str(df["published_at"].dt.tz) == "Asia/Shanghai"
    assert df["published_at"].notna().all()
    assert df["article_id"].is_unique
    people = pd.read_parquet(rel / "data" / "people.parquet")
    assert set(people["article_id"]) <= set(df["article_id"])
    docs = pd.read_parquet(rel / "data" / "documents.parquet")
    assert "数字中国建设整体布局规划" in set(docs["title"])


def test_bodies_are_clean(sample_release):
    _, rel, _ = sample_release
    df = pd.read_parquet(rel / "data" / "articles.parquet")
    for marker in ("当前位置", "【字体", "相关文章", "特别提示", "联系人", "@caict.ac.cn", "17610059551"):
        assert not df["body"].str.contains(marker, regex=False).any(), marker


def test_same_input_same_bytes(sample_release, tmp_path):
    _, rel, _ = sample_release
    again = Path(run(None, tmp_path).release)
    for t in TABLES:
        for sub, ext in (("data", "parquet"), ("csv", "csv")):
            a, b = rel / sub / f"{t}.{ext}" / f"part-00000.{ext}", again / sub / f"{t}.{ext}" / f"part-00000.{ext}"
            assert a.read_bytes() == b.read_bytes(), f"{sub}/{t}.{ext}"


def test_manifest_counts_flags_and_redactions(sample_release):
    import json

    _, rel, _ = sample_release
    run_info = json.loads((rel / "manifest.json").read_text("utf-8"))["run"]
    assert run_info["flags"].get("spam_source", 0) >= 1 and run_info["flags"].get("spun_text", 0) >= 1
    assert {"phone", "email", "id_number", "qq"} <= set(run_info["redactions"])
    assert run_info["pages_in"] == run_info["articles"] + run_info["duplicates"] + sum(run_info["rejected"].values())
