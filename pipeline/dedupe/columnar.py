"""Dedupe over the columns of a run's light entries (``lights.Lights``).

``groups.group_duplicates`` then ``assemble.resolve`` over one dict a page took about 1.6 KB an
article in the tables phase (the dicts, their strings, a second list sorted by page id). Here
the same groups, preference order, released ids and duplicate rows come from the columns and
the signature matrix, with a page known by its row: numpy arrays of ints, and Python strings
only for the ids the resolution hands on. The result is ``resolve(*group_duplicates(...))``'s,
row for row and in the same order.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.dedupe.history import PriorIndex, match_page, match_signature
from pipeline.dedupe.near import group_signatures

_DEMOTING = ("reprint", "spam_source")  # flags that put a page after the original (``groups.preference``)


def preference_keys(table: pa.Table) -> list[np.ndarray]:
    """``groups.preference`` of every row as arrays, the last one first (``np.lexsort``'s order),
    without the page id (the caller's tie-break)."""
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
    """``group_duplicates`` by row: (canonical rows in page-id order, duplicate rows, the
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


def resolve_lights(table: pa.Table, sigs: np.ndarray, prior: PriorIndex | None = None,
                   carry_forward: bool = True):
    """``assemble.resolve(*group_duplicates(entries), prior, carry_forward)`` from the columns
    of ``Lights`` (``table`` and the signature matrix ``sigs``, one row a page)."""
    from pipeline.run.assemble import Resolution

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
    """``groups.against_prior`` by row."""
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
    """``assemble.one_article_per_id`` by row."""
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
