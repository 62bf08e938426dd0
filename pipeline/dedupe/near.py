"""Near duplicates: MinHash over character shingles with LSH banding, vectorised with numpy.

Reprints of one story differ in header, footer, paragraph order and a few edited lines; their
bodies still share most character shingles, so the Jaccard similarity of the shingle sets
stays high while two different stories (even from one site, with one disclaimer) stay low.

A signature is ``bands * rows`` 32-bit minima of a multiply-add hash family applied to the
(mixed) shingle hashes: 512 bytes a body, so memory holds signatures, never texts. Candidate
pairs come from sorting each band's keys (no Python loop over documents) and are kept when
the estimated Jaccard reaches ``threshold``; groups are the connected components of the kept
pairs. ``group_signatures`` builds them one band (and neighbour distance) at a time with a
vectorised union, dropping candidates already in one group before verifying them, so memory
beyond the signatures is one band's keys plus at most n pairs, however many copies a story has;
``similar_pairs`` lists every kept pair at once (all bands' candidates in memory together).

Parameters were chosen on the bench corpus (``tests/benchmarks/dedupe_corpus.py``: 260 bench
bodies plus edited copies) over shingles 3-6, thresholds 0.3-0.6 and bands 16x8/20x5/32x4/64x2:
5-character shingles, 32 bands of 4 rows, threshold 0.4 gave pair recall 0.972-0.994 at
precision 1.000 over five corpus seeds. Below 0.4 precision falls (two short stories from one
site sharing a long disclaimer reach an estimated 0.33); at 0.5 recall fell to 0.945.
Cost (``tests/benchmarks/bench_dedupe.py``): ~0.25 ms to sign a 1,000-character body;
``group_signatures`` groups 100,000 signatures (30% with 1-3 copies) in ~0.7 s at a 13 MB
peak beyond the signatures, and 20,000 that are ~50 copies each of ~400 stories in 0.4 s at
10 MB, where ``components(n, similar_pairs(...))`` peaks at 187 MB.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Iterable, Iterator

import numpy as np

from pipeline.dedupe.ids import fingerprint


@dataclass(frozen=True)
class Params:
    shingle: int = 5
    bands: int = 32
    rows: int = 4  # S-curve midpoint (1/bands)^(1/rows) ~ 0.42: a pair at 0.6 is a candidate with p 0.985
    threshold: float = 0.4  # estimated Jaccard at which two bodies are one article
    max_neighbours: int = 64  # pairs tried per member of one LSH bucket (caps huge buckets)
    seed: int = 20240229

    @property
    def permutations(self) -> int:
        return self.bands * self.rows


DEFAULT = Params()
_U64 = np.uint64
_M1, _M2 = _U64(0xBF58476D1CE4E5B9), _U64(0x94D049BB133111EB)
_BASE = _U64(1_000_003)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads the polynomial hash over all 64 bits."""
    x = x ^ (x >> _U64(30))
    x = x * _M1
    x = x ^ (x >> _U64(27))
    x = x * _M2
    return x ^ (x >> _U64(31))


@cache
def _family(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = (rng.integers(0, 2**31, n, dtype=np.uint64) * 2 + 1).astype(np.uint32)  # odd: a bijection
    b = rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32)
    return a, b


def shingle_hashes(text: str, k: int = DEFAULT.shingle) -> np.ndarray:
    """64-bit hashes of the k-character shingles of the fingerprint (repeats kept: min ignores them)."""
    cps = np.frombuffer(fingerprint(text).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(cps) == 0:
        return np.zeros(1, dtype=np.uint64)
    k = min(k, len(cps))
    n = len(cps) - k + 1
    with np.errstate(over="ignore"):
        h = cps[:n].copy()
        for i in range(1, k):
            h = h * _BASE + cps[i:i + n]
        return _mix(h)


def signature(text: str, params: Params = DEFAULT) -> np.ndarray:
    """MinHash signature: uint32[bands * rows]."""
    a, b = _family(params.seed, params.permutations)
    h = shingle_hashes(text, params.shingle).astype(np.uint32)
    with np.errstate(over="ignore"):
        return (h[:, None] * a[None, :] + b[None, :]).min(axis=0)


def signatures(texts: Iterable[str], params: Params = DEFAULT) -> np.ndarray:
    """Signatures of many texts as one (n, permutations) array; texts are consumed one at a time."""
    rows = [signature(t, params) for t in texts]
    return np.vstack(rows) if rows else np.zeros((0, params.permutations), dtype=np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


def band_key(sigs: np.ndarray, band: int, params: Params = DEFAULT) -> np.ndarray:
    """One 64-bit key per document for one band: equal keys put two documents in one LSH bucket.

    Computed band by band (n x 8 bytes at a time) so that grouping never holds a widened copy
    of all signatures.
    """
    key = np.zeros(sigs.shape[0], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(band * params.rows, (band + 1) * params.rows):
            key = _mix(key * _BASE + sigs[:, r].astype(np.uint64))
    return key


def band_keys(sigs: np.ndarray, params: Params = DEFAULT) -> np.ndarray:
    """``band_key`` of every band at once, (n, bands): for a few signatures (index look-ups)."""
    parts = sigs.reshape(sigs.shape[0], params.bands, params.rows).astype(np.uint64)
    key = np.zeros(parts.shape[:2], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(params.rows):
            key = _mix(key * _BASE + parts[:, :, r])
    return key


def band_neighbours(sigs: np.ndarray, band: int, params: Params = DEFAULT) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(i, j) arrays of items sharing this band's key, d = 1, 2, ... places apart in sorted key
    order, up to ``max_neighbours``: one neighbour distance at a time."""
    n = sigs.shape[0]
    keys = band_key(sigs, band, params)
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    for d in range(1, min(params.max_neighbours, n - 1) + 1):
        same = k[d:] == k[:-d]
        if not same.any():
            break
        yield order[:-d][same], order[d:][same]


def candidate_pairs(sigs: np.ndarray, params: Params = DEFAULT) -> np.ndarray:
    """Distinct (i, j), i < j, sharing a band key: sort each band, compare near neighbours.

    Members of one bucket are paired with up to ``max_neighbours`` following members in sorted
    order, which still chains a huge bucket (a viral reprint) into one group without its n^2 pairs.
    """
    n = sigs.shape[0]
    found = []
    for band in range(params.bands):
        for i, j in band_neighbours(sigs, band, params):
            found.append(np.minimum(i, j).astype(np.int64) * n + np.maximum(i, j))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    flat = np.unique(np.concatenate(found))
    return np.stack([flat // n, flat % n], axis=1)


def similar_pairs(sigs: np.ndarray, params: Params = DEFAULT, chunk: int = 65536) -> np.ndarray:
    """Candidate pairs whose estimated Jaccard reaches the threshold."""
    pairs = candidate_pairs(sigs, params)
    keep = np.zeros(len(pairs), dtype=bool)
    for s in range(0, len(pairs), chunk):
        p = pairs[s:s + chunk]
        keep[s:s + chunk] = (sigs[p[:, 0]] == sigs[p[:, 1]]).mean(axis=1) >= params.threshold
    return pairs[keep]


def _roots(label: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Root of each item of x in the forest ``label`` (``label[i] <= i``, a root points to itself).

    Points x straight at its root on the way, so that paths stay short between flattenings.
    """
    r = label[x]
    while True:
        up = label[r]
        if np.array_equal(up, r):
            break
        r = up
    label[x] = r
    return r


def _link(label: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """Join the groups of a[k] and b[k] for every k, in place; a merged group's root is its smallest index.

    Vectorised union: the roots touched are renumbered 0..m-1 (in index order), each root hooks
    onto the smallest label across its edges (``np.minimum.at``) and pointer jumping flattens the
    result, until both ends of every edge agree. Work is proportional to the edges, not to n.
    """
    ra, rb = _roots(label, a), _roots(label, b)
    apart = ra != rb
    if not apart.any():
        return
    nodes, inv = np.unique(np.concatenate([ra[apart], rb[apart]]), return_inverse=True)
    ea, eb = np.split(inv, 2)
    lab = np.arange(len(nodes))
    while True:
        la, lb = lab[ea], lab[eb]
        live = la != lb
        if not live.any():
            break
        ea, eb, la, lb = ea[live], eb[live], la[live], lb[live]
        low = np.minimum(la, lb)
        np.minimum.at(lab, la, low)
        np.minimum.at(lab, lb, low)
        lab = _flat(lab)
    label[nodes] = nodes[lab]


def _flat(label: np.ndarray) -> np.ndarray:
    """Every item pointed straight at its root (pointer jumping)."""
    while True:
        up = label[label]
        if np.array_equal(up, label):
            return label
        label = up


def components(n: int, pairs: np.ndarray) -> list[int]:
    """For each of n items the smallest index of its group, the groups being the pairs' connected components."""
    label = np.arange(n, dtype=np.intp)
    if len(pairs):
        _link(label, pairs[:, 0], pairs[:, 1])
    return _flat(label).tolist()


def group_signatures(sigs: np.ndarray, params: Params = DEFAULT, chunk: int = 8192) -> np.ndarray:
    """For each signature the smallest index of its group: ``components(n, similar_pairs(sigs, params))``
    as an int array, in memory that does not grow with the number of similar pairs.

    Same candidates (each band's sorted keys, up to ``max_neighbours`` apart) and the same
    threshold test as ``similar_pairs``, but taken one band and one neighbour distance at a time
    and merged at once, so a candidate whose two items are already in one group is dropped
    before it is verified: when most pages are copies, the first band joins them and later bands
    cost only a look-up. Skipping those pairs cannot change the connected components, and a
    group's label is its smallest index, so the result does not depend on processing order.
    ``chunk`` pairs are verified at a time (two ``chunk x permutations`` gathers).
    """
    n = sigs.shape[0]
    label = np.arange(n, dtype=np.intp)
    for band in range(params.bands):
        for i, j in band_neighbours(sigs, band, params):
            apart = _roots(label, i) != _roots(label, j)
            i, j = i[apart], j[apart]
            for s in range(0, len(i), chunk):
                a, b = i[s:s + chunk], j[s:s + chunk]
                ok = (sigs[a] == sigs[b]).mean(axis=1) >= params.threshold
                _link(label, a[ok], b[ok])
        label = _flat(label)
    return label


def near_groups(texts: list[str], params: Params = DEFAULT) -> list[int]:
    """For each text the index of its group's first member."""
    return group_signatures(signatures(texts, params), params).tolist()
