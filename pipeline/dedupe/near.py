"""Near duplicates: MinHash over character shingles with LSH banding.

Reprints of one story differ in header, footer and a few edited lines; their bodies still
share most 5-character shingles. Hashing is vectorised with numpy (a polynomial rolling hash
over code points, then one multiply-add per permutation), so a signature costs about a
millisecond and memory holds only signatures, not texts.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pipeline.dedupe.ids import fingerprint

SHINGLE = 5
PERMUTATIONS = 128
BANDS, ROWS = 32, 4  # LSH S-curve midpoint near (1/32)^(1/4) ~ 0.42
THRESHOLD = 0.5  # estimated Jaccard at which two bodies are one article

_rng = np.random.default_rng(20240229)
_A = (_rng.integers(1, 2**61, PERMUTATIONS, dtype=np.uint64) | np.uint64(1))
_B = _rng.integers(0, 2**61, PERMUTATIONS, dtype=np.uint64)
_BASE = np.uint64(1_000_003)
_POW = np.array([_BASE ** np.uint64(SHINGLE - 1 - i) for i in range(SHINGLE)], dtype=np.uint64)


def shingle_hashes(text: str) -> np.ndarray:
    cps = np.frombuffer(fingerprint(text).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(cps) < SHINGLE:
        return np.unique(cps * _POW[-1]) if len(cps) else np.zeros(1, dtype=np.uint64)
    windows = np.lib.stride_tricks.sliding_window_view(cps, SHINGLE)
    with np.errstate(over="ignore"):
        return np.unique((windows * _POW).sum(axis=1))


def signature(text: str) -> np.ndarray:
    h = shingle_hashes(text)
    with np.errstate(over="ignore"):
        return (h[:, None] * _A[None, :] + _B[None, :]).min(axis=0)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a == b))


@dataclass
class NearIndex:
    """LSH buckets of signatures; ``add`` returns the keys of earlier entries it matches."""

    threshold: float = THRESHOLD
    buckets: list[dict[bytes, list[int]]] = field(default_factory=lambda: [{} for _ in range(BANDS)])
    sigs: list[np.ndarray] = field(default_factory=list)

    def add(self, sig: np.ndarray) -> list[int]:
        me = len(self.sigs)
        seen: set[int] = set()
        for b in range(BANDS):
            key = sig[b * ROWS:(b + 1) * ROWS].tobytes()
            bucket = self.buckets[b].setdefault(key, [])
            seen.update(bucket)
            bucket.append(me)
        self.sigs.append(sig)
        return sorted(i for i in seen if similarity(self.sigs[i], sig) >= self.threshold)


def near_groups(texts: list[str], threshold: float = THRESHOLD) -> list[int]:
    """For each text the index of its group's first member (union-find over LSH matches)."""
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index = NearIndex(threshold)
    for i, t in enumerate(texts):
        for j in index.add(signature(t)):
            ri, rj = root(i), root(j)
            if ri != rj:
                parent[max(ri, rj)] = min(ri, rj)
    return [root(i) for i in range(len(texts))]
