"""Articles of the previous release, as an index that new pages are matched against.

A re-crawl or a reprint of an article released before must keep that article's id instead of
entering the dataset as a new article. ``load_index`` reads the articles (``data/articles/``) of the
latest release (column by column, batch by batch) and keeps only ids and MinHash signatures;
``match`` says which released article a body is a copy of, if any. Pure: no flow, no writes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np

from pipeline.dedupe.ids import article_id
from pipeline.dedupe.near import DEFAULT, Params, band_key, band_keys, signature

COLUMNS = ["article_id", "body", "page_id"]


@dataclass(frozen=True)
class PriorIndex:
    """Signatures of released articles, and every (band, key) of them sorted for binary search."""

    version: str | None = None
    article_ids: tuple[str, ...] = ()
    page_rows: dict[str, int] = field(default_factory=dict)  # page_id -> row
    exact_rows: dict[str, int] = field(default_factory=dict)  # content id of the body -> row
    sigs: np.ndarray = field(default_factory=lambda: np.zeros((0, DEFAULT.permutations), dtype=np.uint32))
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))  # sorted (band, key) hashes
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))  # row of each key
    params: Params = DEFAULT

    def __len__(self) -> int:
        return len(self.article_ids)


def build_index(rows: Iterable[tuple[str, str, str]], version: str | None = None,
                params: Params = DEFAULT) -> PriorIndex:
    """Index (article_id, body, page_id) rows; bodies are signed and dropped one at a time."""
    ids: list[str] = []
    page_rows: dict[str, int] = {}
    exact_rows: dict[str, int] = {}
    sigs: list[np.ndarray] = []
    for aid, body, page_id in rows:
        r = len(ids)
        ids.append(aid)
        page_rows.setdefault(page_id, r)
        exact_rows.setdefault(article_id(body or ""), r)
        sigs.append(signature(body or "", params))
    sig = np.vstack(sigs) if sigs else np.zeros((0, params.permutations), dtype=np.uint32)
    keys = np.concatenate([tagged_keys(sig, b, params) for b in range(params.bands)]) if ids else np.zeros(0, np.uint64)
    order = np.argsort(keys, kind="stable")
    rows = (order % max(1, len(ids))).astype(np.int32)
    return PriorIndex(version, tuple(ids), page_rows, exact_rows, sig, keys[order], rows, params)


_SPREAD = np.uint64(0x9E3779B97F4A7C15)


def tagged_keys(sigs: np.ndarray, band: int, params: Params) -> np.ndarray:
    """Band keys made distinct across bands, so that all bands share one sorted array."""
    with np.errstate(over="ignore"):
        return band_key(sigs, band, params) * _SPREAD + np.uint64(band)


def query_keys(sig: np.ndarray, params: Params) -> np.ndarray:
    """``tagged_keys`` of one signature for every band."""
    with np.errstate(over="ignore"):
        return band_keys(sig[None, :], params)[0] * _SPREAD + np.arange(params.bands, dtype=np.uint64)


def release_path(path: str | Path) -> Path | None:
    """The release to read: ``path`` itself if it is one, else the latest under ``path/releases``."""
    from pipeline.publish.release import latest

    from pipeline.publish.layout import is_release

    path = Path(path)
    if is_release(path):
        return path
    if (path / "LATEST").is_file():
        path = path.parent
    return latest(path)


def load_index(path: str | Path | None, params: Params = DEFAULT) -> PriorIndex:
    """Index of the latest release under an output folder (or of one release folder); empty if none."""
    release = release_path(path) if path is not None else None
    if release is None:
        return PriorIndex(params=params)
    from pipeline.publish.layout import iter_batches

    def rows():
        for batch in iter_batches(release, "articles", COLUMNS):
            cols = batch.to_pydict()
            yield from zip(cols["article_id"], cols["body"], cols["page_id"])

    return build_index(rows(), release.name, params)


def match_page(index: PriorIndex, page_id: str) -> str | None:
    """The released article made from this very page, if any."""
    r = index.page_rows.get(page_id)
    return None if r is None else index.article_ids[r]


def match(index: PriorIndex, candidate_body: str) -> str | None:
    """The released article this body is a copy of (same text, or estimated Jaccard >= threshold)."""
    if not len(index):
        return None
    return match_signature(index, article_id(candidate_body), signature(candidate_body, index.params))


def match_signature(index: PriorIndex, content_id: str, sig: np.ndarray) -> str | None:
    """``match`` for a body known by its content id and MinHash signature."""
    if not len(index):
        return None
    exact = index.exact_rows.get(content_id)
    if exact is not None:
        return index.article_ids[exact]
    p = index.params
    q = query_keys(sig, p)
    lo, hi = np.searchsorted(index.keys, q, "left"), np.searchsorted(index.keys, q, "right")
    if not (hi > lo).any():
        return None
    cand = np.unique(np.concatenate([index.rows[a:b] for a, b in zip(lo, hi) if b > a]))
    sims = (index.sigs[cand] == sig).mean(axis=1)
    best = int(np.argmax(sims))  # ties: the lowest row, so the answer does not depend on bucket order
    return index.article_ids[cand[best]] if sims[best] >= p.threshold else None
