"""Dedupe: one canonical article per story, the rest duplicates pointing at it, over the
columns of the light entries of a run's kept pages (``lights.Lights``).

A group is the pages whose bodies are the same or nearly the same (``near.group_signatures``
over the MinHash signatures). Its canonical page is the original source before a reprint or a
spam mirror, then the earliest, then the longest, then the smallest page id. A group that
copies an article of the previous release takes that article's id (``_against_prior``), and
no two articles share an id (``_one_article_per_id``). A page is known by its row: numpy
arrays of ints, and Python strings only for the ids the resolution hands on, so that a run's
memory does not grow by a dict a page. ``tests/dedupe_reference.py`` holds the same rules
over one dict a page, which the tests check this against.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.dedupe.history import PriorIndex, match_page, match_signature
from pipeline.dedupe.lights import Lights, light
from pipeline.dedupe.near import group_signatures

_DEMOTING = ("reprint", "spam_source")  # flags that put a page after the original


@dataclass
class Resolution:
    """Which pages become articles and under which id; the rest are duplicates (as rejected rows)."""

    ids: dict[str, str]  # page_id of each canonical page -> article_id
    dup_counts: Counter  # page_id of a canonical page -> its duplicates
    duplicates: list[dict]  # rejected rows, reason duplicate_of


def preference_keys(table: pa.Table) -> list[np.ndarray]:
    """The keys of preference of every row as arrays (demoted: a reprint or a spam source;
    undated; date; minus the length), the last one first (``np.lexsort``'s order); without the
    page id (the caller's tie-break)."""
    n = table.num_rows
    flags = table.column("flags").combine_chunks()
    demoted = np.zeros(n, dtype=bool)
    if n:
        hit = pc.fill_null(pc.is_in(pc.list_flatten(flags), value_set=pa.array(_DEMOTING)), False)
        demoted[pc.list_parent_indices(flags).to_numpy()[hit.to_numpy(zero_copy_only=False)]] = True
    published = table.column("published_at").combine_chunks()
    undated = published.is_null().to_numpy(zero_copy_only=False)
    micros = pc.fill_null(published.cast(pa.int64()), 0).to_numpy(zero_copy_only=False)
    chars = table.column("chars").combine_chunks().to_numpy(zero_copy_only=False)
    return [-chars, micros, undated, demoted]


def group_rows(table: pa.Table, sigs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The groups by row: (canonical rows in page-id order, duplicate rows, the
    canonical row of each duplicate), the duplicates group by group (groups in the order of
    their first page id), each group's in preference order."""
    n = table.num_rows
    if not n:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    order = pc.sort_indices(table, [("page_id", "ascending")]).to_numpy()  # stable, as ``sorted``
    roots = np.asarray(group_signatures(sigs[order]), dtype=np.int64)
    keys = [k[order] for k in preference_keys(table)]
    seq = np.lexsort((np.arange(n), *keys, roots))  # a root is its group's first position
    first = np.ones(n, dtype=bool)
    first[1:] = roots[seq][1:] != roots[seq][:-1]
    head = seq[first][np.cumsum(first) - 1]
    return order[np.sort(seq[first])], order[seq[~first]], order[head[~first]]


class _Heads:
    """The pages duplicates point at: canonical rows, or released articles (``row`` -1)."""

    def __init__(self, rows: np.ndarray, ids: list[str]):
        self.row = rows.tolist()
        self.aid = ids
        self.released_in: dict[int, str] = {}

    def stub(self, aid: str, version: str | None) -> int:
        self.row.append(-1)
        self.aid.append(aid)
        self.released_in[len(self.row) - 1] = version
        return len(self.row) - 1


def resolve_pages(cands: list[dict], prior: PriorIndex | None = None, carry_forward: bool = True) -> Resolution:
    """``resolve_lights`` of candidates in memory, through their light entries as the flow's
    staging keeps them."""
    lights = Lights()
    lights.add([light(c) for c in cands])
    return resolve_lights(*lights.columns(), prior, carry_forward)


def resolve_lights(table: pa.Table, sigs: np.ndarray, prior: PriorIndex | None = None,
                   carry_forward: bool = True) -> Resolution:
    """Ids for the canonical pages and rows for the duplicates, from the columns of ``Lights``
    (``table`` and the signature matrix ``sigs``, one row a page).

    With ``prior`` (``dedupe.load_index`` of the latest release) copies of released articles
    keep the released ``article_id``; when the new release carries the old articles forward
    (``carry_forward``, an incremental run) they become its duplicates instead of articles.
    The duplicates are rows of ``Resolution.duplicates``, group by group, each group's in
    order of preference; a canonical that lost its id to an earlier one comes last."""
    keep, dup_rows, dup_canon = group_rows(table, sigs)
    content = table.column("content_id")
    heads = _Heads(keep, content.take(pa.array(keep, pa.int64())).to_pylist())
    head_of = np.full(table.num_rows, -1, dtype=np.int64)
    head_of[keep] = np.arange(len(keep))
    canonical = list(range(len(keep)))
    dups = list(zip(dup_rows.tolist(), head_of[dup_canon].tolist()))
    page_id = table.column("page_id")
    if prior is not None and len(prior):
        canonical, dups = _against_prior(heads, canonical, dups, page_id, content, sigs, prior, carry_forward)
    canonical, dups = _one_article_per_id(heads, canonical, dups)
    del head_of, dup_rows, dup_canon
    page_ids = page_id.to_pylist()
    path, url = table.column("path"), table.column("url")
    drows = pa.array([d for d, _ in dups], pa.int64())
    dup_path, dup_url = path.take(drows).to_pylist(), url.take(drows).to_pylist()
    rows = [{"page_id": page_ids[d], "path": dup_path[i], "url": dup_url[i], "stage": "dedupe",
             "reason": "duplicate_of", "detail": _detail(heads, h), "duplicate_of": heads.aid[h]}
            for i, (d, h) in enumerate(dups)]
    ids = {page_ids[heads.row[k]]: heads.aid[k] for k in canonical}
    counts = Counter(page_ids[heads.row[h]] for _, h in dups if heads.row[h] >= 0)
    return Resolution(ids, counts, rows)


def _detail(heads: _Heads, h: int) -> str | None:
    version = heads.released_in.get(h)
    return f"released in {version}" if version else None


def _against_prior(heads: _Heads, canonical: list[int], dups: list[tuple[int, int]], page_id, content, sigs,
                   prior: PriorIndex, carry_forward: bool) -> tuple[list[int], list[tuple[int, int]]]:
    """Give groups that copy a released article that article's id, so it is never released as new.

    A group matches a released article when one of its pages is that article's page, or when
    one of its bodies is a copy of it (``history.match_signature``). With ``carry_forward`` a
    matched group is not released again: every page becomes a duplicate of the released id (a
    stub head). Without it, or when the group holds the released page itself, the group is
    released under the released id, its canonical still chosen by preference."""
    members: dict[int, list[int]] = {k: [heads.row[k]] for k in canonical}
    for d, h in dups:
        members[h].append(d)
    new_keep: list[int] = []
    new_dups: list[tuple[int, int]] = []
    for k in canonical:
        group = members[k]
        own = next((a for m in group if (a := match_page(prior, page_id[m].as_py()))), None)
        aid = own or next((a for m in group if (a := match_signature(prior, content[m].as_py(), sigs[m]))), None)
        if aid is None:
            new_keep.append(k)
            new_dups.extend((m, k) for m in group[1:])
        elif own or not carry_forward:
            heads.aid[k] = aid
            new_keep.append(k)
            new_dups.extend((m, k) for m in group[1:])
        else:
            s = heads.stub(aid, prior.version)
            new_dups.extend((m, s) for m in group)
    return new_keep, new_dups


def _one_article_per_id(heads: _Heads, canonical: list[int], dups: list[tuple[int, int]]
                        ) -> tuple[list[int], list[tuple[int, int]]]:
    """Fold a canonical whose id is already taken into the first holder, so article_id stays unique.

    Only an inherited id can collide (a new body identical to one an older release had under
    an id since carried by an edited text); grouping already joins identical bodies within a run."""
    holder: dict[str, int] = {}
    keep: list[int] = []
    moved: dict[int, int] = {}
    for k in canonical:
        aid = heads.aid[k]
        if aid in holder:
            moved[k] = holder[aid]
        else:
            holder[aid] = k
            keep.append(k)
    if not moved:
        return canonical, dups
    out = [(d, moved.get(h, h)) for d, h in dups]
    out += [(heads.row[k], moved[k]) for k in canonical if k in moved]
    return keep, out
