"""Articles of the previous release, as an index that new pages are matched against.

A re-crawl or a reprint of an article released before must keep that article's id instead of
entering the dataset as a new article. ``load_index`` reads the articles (``data/articles.parquet/``) of the
latest release (column by column, batch by batch) and keeps only ids and MinHash signatures;
``match`` says which released article a body is a copy of, if any. The signatures are cached
beside the releases, so that an incremental run signs only new articles.
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
    ids, pages, contents, sigs = [], [], [], []
    for aid, body, page_id in rows:
        ids.append(aid)
        pages.append(page_id)
        contents.append(article_id(body or ""))
        sigs.append(signature(body or "", params))
    return _assemble(version, ids, pages, contents, sigs, params)


def _assemble(version, ids: list[str], pages: list[str], contents: list[str], sigs: list[np.ndarray] | np.ndarray,
              params: Params) -> PriorIndex:
    page_rows: dict[str, int] = {}
    exact_rows: dict[str, int] = {}
    for r, (page_id, content) in enumerate(zip(pages, contents)):
        page_rows.setdefault(page_id, r)
        exact_rows.setdefault(content, r)
    sig = np.asarray(sigs, dtype=np.uint32).reshape(-1, params.permutations)
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
    """Index of the latest release under an output folder (or of one release folder); empty if none.

    The signatures are kept beside the releases (``<output>/.dgn-index/``, one file: the
    latest release's), by article id and page id: an incremental run signs only the articles
    the previous release did not have, and reads bodies only from the parts that hold them.
    The run that publishes a release writes that file (``write_index``), so that the next run
    signs nothing it has seen."""
    release = release_path(path) if path is not None else None
    if release is None:
        return PriorIndex(params=params)
    cache = _cache_dir(release)
    ids, pages, contents, sigs, misses = _signatures(release, _read_cache(cache, params) if cache is not None else {},
                                                     {}, params)
    index = _assemble(release.name, ids, pages, contents, sigs, params)
    if cache is not None and (misses or not (cache / f"{release.name}.npz").is_file()):
        _write_cache(cache, release.name, ids, pages, contents, index.sigs, params)
    return index


def write_index(output_dir: str | Path, release: str | Path, signed: dict[str, tuple[str, np.ndarray]],
                params: Params = DEFAULT) -> None:
    """Cache the index of ``release`` (just published under ``output_dir``) as ``load_index``
    would compute it, from the cached signatures of the release before it and ``signed``
    (page_id -> (content id, signature) of the pages this run signed). A new article takes
    its page's signature only if its released body has that content id (the publish may have
    changed the body, e.g. a last redaction); anything else is signed from its body."""
    from pipeline.publish.layout import is_release

    release = Path(release)
    cache = _cache_dir(release)
    if cache is None or not is_release(release):
        return
    ids, pages, contents, sig, _ = _signatures(release, _read_cache(cache, params),
                                               signed if params == DEFAULT else {}, params)
    _write_cache(cache, release.name, ids, pages, contents, sig, params)


def _cache_dir(release: Path) -> Path | None:
    return release.parent.parent / CACHE_DIR if release.parent.name == "releases" else None


def _signatures(release: Path, known: dict, signed: dict, params: Params
                ) -> tuple[list[str], list[str], list[str], np.ndarray, int]:
    """(article ids, page ids, content ids, signature matrix, articles not in ``known``) of
    the release's articles in part order: from ``known`` by (article_id, page_id), else from
    ``signed`` (signatures with ``DEFAULT`` parameters) by page_id when the body's content id
    agrees, else signed from the body. Bodies are read only from parts that hold an article
    not in ``known``. The matrix is filled in place (no list of rows, no second copy)."""
    import pyarrow.parquet as pq

    from pipeline.publish.layout import table_files

    files = table_files(release, "articles")
    sigs = np.zeros((sum(pq.ParquetFile(f).metadata.num_rows for f in files), params.permutations), np.uint32)
    ids, pages, contents = [], [], []
    misses = 0
    for f in files:
        pf = pq.ParquetFile(f)
        keys = pf.read(columns=["article_id", "page_id"]).to_pydict()
        hits = [known.get((a, p)) for a, p in zip(keys["article_id"], keys["page_id"])]
        bodies = pf.read(columns=["body"]).column(0).to_pylist() if None in hits else None
        for i, (aid, page_id) in enumerate(zip(keys["article_id"], keys["page_id"])):
            hit = hits[i]
            if hit is None:
                misses += 1
                body = bodies[i] or ""
                content = article_id(body)
                mine = signed.get(page_id)
                hit = (content, mine[1] if mine is not None and mine[0] == content else signature(body, params))
            sigs[len(ids)] = hit[1]
            ids.append(aid)
            pages.append(page_id)
            contents.append(hit[0])
        del bodies
    return ids, pages, contents, sigs, misses


CACHE_DIR = ".dgn-index"


def _stamp(params: Params) -> str:
    from pipeline import PIPELINE_VERSION

    return f"{PIPELINE_VERSION}|{params!r}"


def _read_cache(folder: Path, params: Params) -> dict[tuple[str, str], tuple[str, np.ndarray]]:
    """(article_id, page_id) -> (content id, signature) of the cached index, if it was made by
    this pipeline version with these parameters."""
    for f in sorted(folder.glob("*.npz")) if folder.is_dir() else []:
        try:
            with np.load(f, allow_pickle=False) as z:
                if str(z["stamp"]) != _stamp(params):
                    continue
                sig = z["sigs"]
                return {(a, p): (c, sig[i]) for i, (a, p, c) in
                        enumerate(zip(z["ids"].tolist(), z["pages"].tolist(), z["contents"].tolist()))}
        except (OSError, ValueError, KeyError):
            continue
    return {}


def _write_cache(folder: Path, version: str, ids: list[str], pages: list[str], contents: list[str],
                 sigs: np.ndarray, params: Params) -> None:
    """The index's signatures as the only file of the cache (older ones are dropped)."""
    import os

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{version}.npz"
    tmp = folder / f".{version}.{os.getpid()}.tmp.npz"
    np.savez(tmp, stamp=np.array(_stamp(params)), ids=np.array(ids, dtype=str),
             pages=np.array(pages, dtype=str), contents=np.array(contents, dtype=str), sigs=sigs)
    os.replace(tmp, target)
    for f in folder.glob("*.npz"):
        if f != target:
            f.unlink(missing_ok=True)


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
