"""The dataset card (README.md) tells the truth about the run (issue 15): what it kept, the date
range, sites and sources; a Hugging Face ``configs`` header that ``load_dataset`` uses; load
snippets that run as written; CITATION.cff and an explicit data licence."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from dgn_rows import NOW, RUN_INFO, article, good_tables
from pipeline.publish.card import LICENSE, SNIPPETS, kept_text
from pipeline.publish.release import publish_release
from pipeline.tables import RELEASED

pytestmark = pytest.mark.filterwarnings("ignore")

ANY_TOPIC = {**RUN_INFO, "limits": {"min_topic_score": 0, "min_chars": 50}}


def _tables() -> dict:
    t = good_tables()
    t["articles"] += [
        article("a3", site=None, url="https://WWW.Other-Site.cn/news/3.html?id=1", source="学习时报",
                published_at="2021-11-28T16:23:59+08:00"),
        article("a4", site=None, url=None, source="学习时报", published_at=None, flags=["undated"]),
    ]
    return t


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return publish_release(_tables(), [], ANY_TOPIC, out, now=NOW, validate=False).path


def _card(release) -> str:
    return (release / "README.md").read_text("utf-8")


def _front_matter(card: str) -> dict:
    assert card.startswith("---\n")
    return yaml.safe_load(card.split("---\n", 2)[1])


def test_card_says_what_the_run_kept():
    anything = kept_text({"min_topic_score": 0, "min_chars": 50})
    assert "on any topic" in anything and "`--min-topic-score 0`" in anything
    assert "about digital government" not in anything and "50 characters" in anything
    focused = kept_text({"min_topic_score": 0.05, "min_chars": 120})
    assert "about digital government" in focused and "below 0.05" in focused


def test_card_gives_date_range_sites_and_sources(release):
    card = _card(release)
    assert "Chinese web pages on any topic" in card.split("## Where it comes from")[0]
    assert "Published between 2021-11-28 and 2024-04-08 (Asia/Shanghai); 1 article has no date" in card
    # site, else the URL's host (lower case, without www.); an article with neither is counted apart
    assert "Sites with the most articles: example.gov.cn (2), other-site.cn (1). 1 article has no known URL." in card
    assert "Sources (来源) with the most articles: 中国信息通信研究院 (2), 学习时报 (2)." in card


def test_card_shows_the_charts(release):
    card = _card(release)
    images = re.findall(r"!\[[^\]]+\]\((charts/[^)]+\.svg)\)", card)
    assert len(images) == 4 and all((release / p).is_file() for p in images)


def test_front_matter_names_a_config_per_table_and_the_licence(release):
    meta = _front_matter(_card(release))
    configs = {c["config_name"]: c for c in meta["configs"]}
    assert list(configs) == list(RELEASED)
    for name, c in configs.items():
        assert c["data_files"] == [{"split": "train", "path": f"data/{name}.parquet/*.parquet"}]
        assert list(release.glob(c["data_files"][0]["path"]))
    assert configs["articles"].get("default") is True
    assert meta["license"] == "other" and meta["license_link"] == "LICENSE" and meta["language"] == ["zh"]


def test_load_dataset_reads_each_table_offline(release, tmp_path):
    pytest.importorskip("datasets")
    code = ("import json, sys\nfrom datasets import load_dataset\n"
            "print(json.dumps({n: load_dataset(sys.argv[1], n, split='train').num_rows for n in sys.argv[2:]}))")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "HF_HOME": str(tmp_path / "hf"),
           "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-c", code, str(release), *RELEASED], capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    counts = json.loads(proc.stdout.strip().splitlines()[-1])
    expected = {n: len(rows) for n, rows in _tables().items()}
    assert counts == expected


def _run(code: str, cwd, tmp_path, tz: str = "UTC") -> str:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "TZ": tz}
    proc = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_duckdb_snippet_shows_shanghai_times(release, tmp_path):
    code = SNIPPETS["DuckDB"]
    assert "SET TimeZone = 'Asia/Shanghai'" in code and code in _card(release)
    out = _run(code, release, tmp_path, tz="America/New_York")  # whatever the reader's clock says
    assert "key='Asia/Shanghai'" in out and "2024, 4, 8, 0, 0" in out


def test_pandas_snippet_joins_without_suffixed_columns(release, tmp_path):
    code = SNIPPETS["pandas"]
    assert code in _card(release)
    out = _run(code + "\nprint(sorted(joined.columns))", release, tmp_path)
    columns = eval(out.strip().splitlines()[-1])
    assert not any(c.endswith(("_x", "_y")) for c in columns)
    assert {"title", "article_title", "name"} <= set(columns)


def test_citation_cff_is_valid_cff_1_2_0(release):
    cff = yaml.safe_load((release / "CITATION.cff").read_text("utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "dataset"
    for key in ("message", "title", "version", "date-released", "authors"):
        assert cff[key], key
    assert cff["version"] == release.name and cff["date-released"] == "2026-11-23"  # strings, as CFF wants
    assert all(isinstance(a, dict) and a.get("name") for a in cff["authors"])
    # CFF's ``license`` takes SPDX ids only; none fits texts their publishers keep: LICENSE says it
    assert "license" not in cff and "LICENSE" in cff["message"]


def test_licence_file_agrees_with_card_and_datapackage(release):
    licence = (release / "LICENSE").read_text("utf-8")
    assert LICENSE in licence and LICENSE in _card(release)
    dp = json.loads((release / "datapackage.json").read_text("utf-8"))
    assert all((release / lic["path"]).is_file() for lic in dp["licenses"])


def test_new_files_are_covered_by_the_checksums_and_deterministic(release, tmp_path):
    listed = dict(reversed(line.split("  ", 1)) for line in (release / "SHA256SUMS").read_text().splitlines())
    for name in ("CITATION.cff", "LICENSE", "README.md", "report.html"):
        assert name in listed
    again = publish_release(_tables(), [], ANY_TOPIC, tmp_path / "out", now=NOW, validate=False).path
    for name in ("CITATION.cff", "LICENSE", "README.md", "report.html", "charts/articles_by_region.svg"):
        assert (again / name).read_bytes() == (release / name).read_bytes(), name
