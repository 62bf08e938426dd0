"""The card, charts and report of a release are summed part by part (memory flat in the
release's size), equal what the whole table gives, and reuse a part's cached tally only
while the part is the same bytes."""
from __future__ import annotations

import copy
import json

import pyarrow.parquet as pq
import pytest

from dgn_rows import NOW, RUN_INFO, article
from pipeline.publish import charts, layout
from pipeline.publish.card import coverage_lines
from pipeline.publish.coverage import Coverage, Released, cache_dir, part_coverage, titles_of
from pipeline.publish.release import check_release, publish_release
from pipeline.publish.stream import TableSource
from pipeline.tables import RELEASED, to_arrow

pytestmark = pytest.mark.filterwarnings("ignore")


def varied() -> list[dict]:
    """Articles that exercise every tally: undated, no site (host from the url), no url at
    all, an empty source, no source type, a city and its province, repeated keywords."""
    return [
        article("a1", published_at="2023-01-15T23:30:00+08:00", keywords=["数字政府", "数字政府", "政务云"]),
        article("a2", published_at=None, site=None, url="https://www.gov.example.cn/x.html", source="",
                region_codes=["310101", "310000"]),
        article("a3", published_at="2023-03-31T20:00:00+00:00", site=None, url=None, source_type=None,
                region_codes=[], keywords=[]),
        article("a4", published_at="2022-12-31T17:00:00+00:00", source="新华社", region_codes=["440300"]),
        article("a5", published_at="2023-02-01T08:00:00+08:00", keywords=["政务云"]),
    ]


def tables_of(rows: list[dict]) -> dict[str, list[dict]]:
    return {"articles": copy.deepcopy(rows), **{n: [] for n in RELEASED if n != "articles"}}


def test_a_tally_of_parts_equals_the_tally_of_the_whole_table():
    whole = to_arrow("articles", varied())
    parts = Coverage()
    for i in range(0, whole.num_rows, 2):
        parts.merge(Coverage.of(whole.slice(i, 2)))
    one = Coverage.of(whole)
    assert parts == one
    assert one.rows == 5 and one.undated == 1 and one.no_url == 1
    # 2022-12-31T17:00Z is 2023-01-01 in Shanghai; 2023-03-31T20:00Z is 2023-04-01
    assert charts.by_month(parts) == ([("2023-01", 2), ("2023-02", 1), ("2023-03", 0), ("2023-04", 1)], 1, "month")
    assert charts.by_keyword(parts) == [("数字政府", 3), ("政务云", 2)]  # an article counts a keyword once
    assert dict(charts.by_region(parts)) == {"北京市": 2, "上海市": 1, "广东省": 1, "(none)": 1}
    assert dict(charts.by_source_type(whole)) == {"research": 4, "(none)": 1}
    assert dict(one.sites) == {"example.gov.cn": 3, "gov.example.cn": 1}
    assert dict(one.outlets) == {"中国信息通信研究院": 3, "新华社": 1}
    assert charts.render_all(parts) == charts.render_all(whole)
    assert coverage_lines(parts) == coverage_lines(whole)
    assert coverage_lines(whole)[0].startswith("Published between 2023-01-01 and 2023-04-01")


def test_a_tally_survives_its_cache_format():
    one = Coverage.of(to_arrow("articles", varied()))
    assert Coverage.from_json(json.loads(json.dumps(one.to_json()))) == one


def test_the_card_and_charts_of_a_release_in_parts_equal_those_of_one_part(tmp_path, monkeypatch):
    one = publish_release(tables_of(varied()), [], RUN_INFO, tmp_path / "one", now=NOW)
    monkeypatch.setattr(layout, "PART_ROWS_OF", {"articles": 2})
    many = publish_release(tables_of(varied()), [], RUN_INFO, tmp_path / "many", now=NOW)
    assert len(layout.table_files(many.path, "articles")) == 3
    card = (many.path / "README.md").read_text("utf-8")
    assert card == (one.path / "README.md").read_text("utf-8").replace(one.version, many.version)
    assert "Published between 2023-01-01 and 2023-04-01 (Asia/Shanghai); 1 article has no date" in card
    assert "| articles | 5 |" in card
    for svg in (one.path / "charts").iterdir():
        assert (many.path / "charts" / svg.name).read_bytes() == svg.read_bytes()
    whole = layout.read_table(many.path, "articles")
    assert charts.render_all(Coverage.of(whole)) == charts.render_all(
        Released.of_release(many.path, json.loads((many.path / "manifest.json").read_text())["parts"], None).coverage)


def test_a_cached_tally_is_used_only_for_the_same_part_bytes(tmp_path):
    part = tmp_path / "part-00000.parquet"
    pq.write_table(to_arrow("articles", varied()[:2]), part)
    cache = tmp_path / "cache"
    first = part_coverage(part, "d1", cache)
    assert first.rows == 2 and (cache / "d1.json").is_file()
    # the cache is read, not the part: a tally stored under the digest comes back
    planted = Coverage(rows=99)
    (cache / "d1.json").write_text(json.dumps(planted.to_json()), "utf-8")
    assert part_coverage(part, "d1", cache).rows == 99
    # the part changed (another digest): counted again from its rows
    pq.write_table(to_arrow("articles", varied()), part)
    assert part_coverage(part, "d2", cache).rows == 5
    # an unreadable entry is counted again, never trusted
    (cache / "d3.json").write_text("{", "utf-8")
    assert part_coverage(part, "d3", cache).rows == 5


def test_an_incremental_release_recounts_its_rewritten_part_and_reuses_the_others(tmp_path, monkeypatch):
    from pipeline.run.incremental import load_prior, merge

    monkeypatch.setattr(layout, "PART_ROWS_OF", {"articles": 2})
    out = tmp_path / "out"
    first = publish_release(tables_of(varied()), [], RUN_INFO, out, now=NOW)
    cached = {p.stem for p in cache_dir(first.path).glob("*.json")}
    listed = json.loads((first.path / "manifest.json").read_text())["parts"]["articles"]
    assert cached == {p["parquet"]["sha256"] for p in listed}
    prior = load_prior(out)
    new = tables_of([article("a6", published_at="2023-06-01T10:00:00+08:00"),
                     article("a1", page_id="p-a1-copy", url="https://www.example.gov.cn/copy.html")])
    tables, rejected, carry = merge(prior, {n: to_arrow(n, new[n]) for n in RELEASED}, [])
    second = publish_release(tables, rejected, {**RUN_INFO, "pages_in": 7}, out, now=NOW,
                             carried_rejected=prior.rejected, carry=carry)
    parts = json.loads((second.path / "manifest.json").read_text())["parts"]["articles"]
    written = [p for p in parts if p["release"] == second.version]
    assert {p["parquet"]["sha256"] for p in written}.isdisjoint(cached)  # the rewritten part: a new tally
    whole = layout.read_table(second.path, "articles")
    assert whole.num_rows == 6
    assert charts.render_all(Coverage.of(whole)) == charts.render_all(
        Released.of_release(second.path, {"articles": parts}, cache_dir(second.path)).coverage)
    assert "Published between 2023-01-01 and 2023-06-01" in (second.path / "README.md").read_text("utf-8")


def test_titles_are_read_for_the_asked_ids_only():
    src = TableSource.of("articles", to_arrow("articles", varied()))
    assert titles_of(src, ["a2", "zz", None]) == {"a2": varied()[1]["title"]}
    assert titles_of(src, []) == {}


def test_a_published_release_is_sealed_as_checked(tmp_path, monkeypatch):
    """The next run trusts the release it just published without hashing its data again."""
    from pipeline.publish import release

    rel = publish_release(tables_of(varied()), [], RUN_INFO, tmp_path / "out", now=NOW)
    hashed = []
    monkeypatch.setattr(release, "sha256_file", lambda p: hashed.append(p) or ("x", 0))
    release._check_sums.cache_clear()
    assert check_release(rel.path) is None and hashed == []
    (rel.path / "data" / "articles.parquet" / "part-00000.parquet").write_bytes(b"changed")
    assert check_release(rel.path) is not None


def test_a_rewritten_csv_part_is_the_csv_written_whole(tmp_path):
    """Copying the unchanged records of the old CSV gives the bytes of writing every row:
    cells spanning lines, quotes, a lone carriage return, formula-like text, empty lists."""
    from pipeline.publish.csv_export import CsvSink, rewrite_rows

    odd = ["第一段\n第二段", 'he said "yes"', "a\rb", "=1+1", "", None]
    rows = [article(f"a{i}", body=odd[i % len(odd)], title=odd[(i + 1) % len(odd)] or "t",
                    keywords=[] if i % 2 else ["数字政府", "政务\n云"]) for i in range(12)]
    before, after = to_arrow("articles", rows), to_arrow("articles", [
        {**r, "duplicate_count": r["duplicate_count"] + (2 if i in (0, 5, 11) else 0)} for i, r in enumerate(rows)])
    old, whole, spliced = tmp_path / "old.csv", tmp_path / "whole.csv", tmp_path / "spliced.csv"
    for table, path in ((before, old), (after, whole)):
        with CsvSink(path, table.column_names) as out:
            out.write(table)
    at = [i for i, a in enumerate(after.column("article_id").to_pylist()) if a in ("a0", "a5", "a11")]
    rewrite_rows(old, spliced, after, at)
    assert spliced.read_bytes() == whole.read_bytes() != old.read_bytes()
    with pytest.raises(ValueError):
        rewrite_rows(old, tmp_path / "short.csv", after.slice(0, 11), [0])


def test_the_coverage_cache_keeps_only_the_tallies_of_the_latest_release(tmp_path):
    from pipeline.publish.coverage import prune

    cache = tmp_path / "coverage"
    cache.mkdir()
    for name in ("aaa", "bbb", "ccc"):
        (cache / f"{name}.json").write_text("{}")
    prune(cache, [{"parquet": {"sha256": "bbb"}}])
    assert sorted(p.name for p in cache.iterdir()) == ["bbb.json"]
