"""The release diff from digest arrays says what a dict of every row's key and digest said:
the same counts, the same examples in the same order, the same articles listed."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pipeline.publish.diff as D
from pipeline.publish.layout import parquet_path, table_files
from pipeline.tables import RELEASED, TABLES

# keys whose JSON sorts unlike the values: a prefix, an escaped quote, backslash and newline, CJK
ODD = ["a", "a!", 'a"', "a#", "a\\", "a\n", "a\tb", "ab", "中", "中文", "\x01", "null", ""]


def _write(release: Path, name: str, number: int, rows: list[dict]) -> Path:
    path = parquet_path(release, name, number)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=TABLES[name].schema), path)
    return path


def _link(old: Path, new: Path, name: str, number: int) -> None:
    target = parquet_path(new, name, number)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.link(parquet_path(old, name, number), target)


def _dict_diff(old: Path, new: Path, limit: int = D.LISTED) -> tuple[dict, dict]:
    """The diff as it was computed before: a dict ``key JSON -> row digest`` a side."""
    def rows_of(files, name):
        out = {}
        for f in files:
            for batch in pq.ParquetFile(f).iter_batches(batch_size=8192):
                keys = zip(*(batch.column(k).to_pylist() for k in TABLES[name].primary_key))
                for key, digest in zip(keys, D._row_digests(batch).tolist()):
                    out[json.dumps(list(key), ensure_ascii=False, default=str)] = digest
        return out

    tables, ids = {}, {}
    for name in RELEASED:
        pa_, pb = D._parts(old, name), D._parts(new, name)
        shared = pa_.keys() & pb.keys()
        same = sum(pq.ParquetFile(pa_[k]).metadata.num_rows for k in shared)
        a = rows_of([f for k, f in pa_.items() if k not in shared], name)
        b = rows_of([f for k, f in pb.items() if k not in shared], name)
        added, removed = sorted(b.keys() - a.keys()), sorted(a.keys() - b.keys())
        changed = sorted(k for k in a.keys() & b.keys() if a[k] != b[k])
        tables[name] = {
            "old_rows": len(a) + same, "new_rows": len(b) + same, "added": len(added), "removed": len(removed),
            "changed": len(changed), "unchanged": len(a.keys() & b.keys()) - len(changed) + same,
            "examples": {"added": added[:D.EXAMPLES], "removed": removed[:D.EXAMPLES], "changed": changed[:D.EXAMPLES]},
        }
        if name == "articles":
            ids = {"added": added, "removed": removed, "changed": changed}
    listed = {kind: {"count": len(keys), "more": max(0, len(keys) - limit),
                     "ids": [json.loads(k)[0] for k in keys[:limit]]} for kind, keys in ids.items()}
    return {"old": old.name, "new": new.name, "tables": tables}, listed


def _listed(changes: dict) -> dict:
    return {kind: {"count": c["count"], "more": c["more"], "ids": [a["article_id"] for a in c["articles"]]}
            for kind, c in changes.items()}


def _art(aid, title="t"):
    return {"article_id": aid, "title": title, "body": "正文", "char_count": 2}


def _person(aid, name, role="mentioned", title=None):
    return {"article_id": aid, "name": name, "role": role, "title": title}


def _quote(aid, text, speaker="x"):
    return {"article_id": aid, "text": text, "speaker": speaker, "kind": "direct"}


@pytest.fixture
def pair(tmp_path):
    """Two releases: articles over two parts, the first shared (hard-linked); people and quotes
    with more rows added, removed and changed than the examples name; odd keys throughout."""
    D._LAST.clear()
    old, new = tmp_path / "r1", tmp_path / "r2"
    _write(old, "articles", 0, [_art(f"s{i:02d}") for i in range(4)])
    _link(old, new, "articles", 0)
    _write(old, "articles", 1, [_art(k) for k in ODD] + [_art(f"gone{i}") for i in range(3)])
    _write(new, "articles", 1, [_art(k, "新" if i % 3 == 0 else "t") for i, k in enumerate(ODD)]
           + [_art(f"new{i}") for i in range(7, 0, -1)])
    _write(old, "people", 0, [_person(a, n) for a in ODD[:6] for n in ODD[:5]])
    _write(new, "people", 0, [_person(a, n, title="长" if n in ODD[:3] else None)
                              for a in ODD[3:9] for n in ODD[:5]])
    _write(old, "quotes", 0, [_quote("q", t) for t in ODD])
    _write(new, "quotes", 0, [_quote("q", t, "y" if t < "a\\" else "x") for t in reversed(ODD)])
    _write(new, "quotes", 1, [_quote(None, t) for t in ODD[:3]])
    return old, new


def test_counts_and_examples_are_those_of_a_dict_a_row(pair):
    old, new = pair
    want, listed = _dict_diff(old, new)
    got = D.diff_releases(old, new)
    assert got == want
    assert json.dumps(got, ensure_ascii=False) == json.dumps(want, ensure_ascii=False)  # key order too
    assert _listed(D.article_changes(old, new)) == listed
    people = got["tables"]["people"]
    assert min(people["added"], people["removed"], people["changed"]) > D.EXAMPLES
    assert got["tables"]["articles"]["unchanged"] == 4 + len(ODD) - 5  # the shared part counted, not read
    assert got["tables"]["quotes"]["examples"]["added"] == ['[null, "a!"]', '[null, "a"]', '[null, "a\\""]']  # JSON order


def test_the_examples_are_the_smallest_keys_when_every_prefix_ties(pair, monkeypatch):
    old, new = pair
    want = D.diff_releases(old, new)
    D._LAST.clear()
    monkeypatch.setattr(D, "_PREFIX", 1)  # every key's prefix is its '"': all are read back
    assert D.diff_releases(old, new) == want


def test_keys_that_share_one_64_bit_digest_stay_apart(pair, monkeypatch):
    old, new = pair
    want = D.diff_releases(old, new)
    D._LAST.clear()
    digests = D._key_digests
    monkeypatch.setattr(D, "_key_digests", lambda keys: (np.zeros(len(keys), np.uint64), digests(keys)[1]))
    assert D.diff_releases(old, new) == want
    D._LAST.clear()
    monkeypatch.setattr(D, "_key_digests", lambda keys: (np.zeros(len(keys), np.uint64),) * 2)
    assert D.diff_releases(old, new) != want  # with no second digest they would merge


def test_a_key_twice_in_a_side_counts_once_with_its_last_row(tmp_path):
    D._LAST.clear()
    old, new = tmp_path / "r1", tmp_path / "r2"
    _write(old, "articles", 0, [_art("a", "x"), _art("b"), _art("a", "y")])
    _write(old, "articles", 1, [_art("b", "z")])
    _write(new, "articles", 0, [_art("a", "y"), _art("b"), _art("c")])
    want, _ = _dict_diff(old, new)
    got = D.diff_releases(old, new)
    assert got == want
    assert got["tables"]["articles"] | {"examples": None} == {
        "old_rows": 2, "new_rows": 3, "added": 1, "removed": 0, "changed": 1, "unchanged": 1, "examples": None}


def test_an_empty_table_an_absent_one_and_a_release_of_shared_parts_only(tmp_path):
    D._LAST.clear()
    old, new = tmp_path / "r1", tmp_path / "r2"
    _write(old, "articles", 0, [_art("a"), _art("b")])
    _write(new, "articles", 0, [_art("b"), _art("c")])
    _write(old, "people", 0, [])
    _write(new, "people", 0, [_person("c", "王")])
    _write(old, "quotes", 0, [_quote("a", "话")])
    _link(old, new, "quotes", 0)
    _write(new, "events", 0, [])
    assert table_files(old, "events") == [] and pq.ParquetFile(parquet_path(old, "people", 0)).metadata.num_rows == 0
    want, listed = _dict_diff(old, new)
    assert D.diff_releases(old, new) == want
    assert want["tables"]["people"]["added"] == 1 and want["tables"]["quotes"]["unchanged"] == 1
    assert _listed(D.article_changes(old, new)) == listed
    D._LAST.clear()
    assert D.diff_releases(old, old)["tables"]["articles"] == {
        "old_rows": 2, "new_rows": 2, "added": 0, "removed": 0, "changed": 0, "unchanged": 2,
        "examples": {"added": [], "removed": [], "changed": []}}


def test_more_articles_listed_than_the_diff_kept(tmp_path):
    D._LAST.clear()
    old, new = tmp_path / "r1", tmp_path / "r2"
    _write(old, "articles", 0, [_art("x")])
    _write(new, "articles", 0, [_art(f"n{i:03d}", f"标题{i}") for i in range(D.LISTED + 9, -1, -1)])
    D.diff_releases(old, new)
    for limit in (3, D.LISTED + 5):
        got = D.article_changes(old, new, limit=limit)
        assert _listed(got) == _dict_diff(old, new, limit)[1]
    assert got["added"]["articles"][-1] == {"article_id": f"n{D.LISTED + 4:03d}", "title": f"标题{D.LISTED + 4}"}
    assert got["added"]["more"] == 5 and got["removed"]["articles"] == [{"article_id": "x", "title": "t"}]
