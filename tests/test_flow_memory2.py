"""Dedupe over the light entries' columns gives what the dict reference gives (groups, preference,
released ids, duplicate rows, in the same order), and the end phase's index is written from
the columns without a dict a page."""
import datetime as dt

import numpy as np
import pytest

from pipeline.dedupe.columnar import group_rows, resolve_lights
from pipeline.dedupe.history import build_index
from pipeline.dedupe.lights import Lights, light
from tests.dedupe_reference import group_duplicates, resolve

CST = dt.timezone(dt.timedelta(hours=8))
WORDS = "数字政府建设推进政务服务一网通办数据共享平台互联网监管智慧城市电子证照公共资源交易"


def _body(seed: int, chars: int = 400) -> str:
    rng = np.random.default_rng(seed)
    return "".join(WORDS[i] for i in rng.integers(0, len(WORDS), chars)) + "。"


def _page(i: int, body: str, page_id: str | None = None, flags=(), day: int | None = None) -> dict:
    when = None if day is None else dt.datetime(2024, 5, day, 9, tzinfo=CST)
    return {"page_id": page_id or f"p{(i * 7919) % 1000:04d}", "path": f"/pages/{i}.html",
            "url": f"https://example.org/{i}", "flags": list(flags),
            "metadata": {"body": body, "published_at": when}}


def _corpus() -> list[dict]:
    """Distinct pages, exact copies, near copies (a few characters changed), a reprint that is
    the earliest, undated copies, copies of equal date and length, and one page in two files."""
    pages = []
    for i in range(40):
        base = _body(i)
        pages.append(_page(i, base, day=1 + i % 9))
        if i % 3 == 0:
            pages.append(_page(100 + i, base, flags=["reprint"], day=1))
        if i % 4 == 0:
            pages.append(_page(200 + i, base[:50] + "改" + base[51:], day=None))
        if i % 5 == 0:
            pages.append(_page(300 + i, base, day=1 + i % 9))
            pages.append(_page(400 + i, base, page_id=pages[-1]["page_id"], day=1 + i % 9))
    return pages


def _lights(entries: list[dict]) -> Lights:
    lights = Lights()
    lights.add(entries[:25])
    lights.add(entries[25:])
    return lights


def _same(a, b) -> None:
    assert a.ids == b.ids
    assert list(a.ids) == list(b.ids)
    assert a.dup_counts == b.dup_counts
    assert a.duplicates == b.duplicates


def test_grouping_over_columns_is_the_dict_grouping():
    entries = [light(c) for c in _corpus()]
    lights = _lights(entries)
    table, sigs = lights.columns()
    keep, dups, canon = group_rows(table, sigs)
    want_keep, want_dups = group_duplicates(lights.entries())
    pids = table.column("page_id").to_pylist()
    paths = table.column("path").to_pylist()
    assert len(dups) > 10
    assert [paths[r] for r in keep] == [c["path"] for c in want_keep]
    assert [(paths[d], paths[c]) for d, c in zip(dups, canon)] == [(d["path"], c["path"]) for d, c in want_dups]
    assert [pids[r] for r in keep] == sorted(pids[r] for r in keep)


@pytest.mark.parametrize("carry_forward", [True, False])
def test_resolution_over_columns_is_the_dict_resolution(carry_forward):
    pages = _corpus()
    entries = [light(c) for c in pages]
    lights = _lights(entries)
    table, sigs = lights.columns()
    _same(resolve_lights(table, sigs), resolve(*group_duplicates(lights.entries())))
    # released before: one page itself, one body copied, one near copy, and an id two groups share
    released = [("a-own", _body(90), pages[0]["page_id"]), ("a-copy", _body(3), "old-1"),
                ("a-near", _body(8)[:30] + "新" + _body(8)[31:], "old-2"), ("a-twice", _body(12), "old-3"),
                ("a-twice", _body(13), "old-4")]
    prior = build_index(released, version="v-old")
    got = resolve_lights(table, sigs, prior, carry_forward)
    want = resolve(*group_duplicates(lights.entries()), prior, carry_forward)
    assert any(r["detail"] for r in want.duplicates) == carry_forward
    _same(got, want)


def test_no_pages_resolve_to_nothing():
    table, sigs = Lights().columns()
    res = resolve_lights(table, sigs)
    assert res.ids == {} and res.duplicates == [] and not res.dup_counts
