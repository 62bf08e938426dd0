"""Scale benchmark: MinHash near-duplicate grouping of 100,000 synthetic articles.

Articles are collages of bench sentences (so that most are distinct, as in a real crawl) and
~30% of them get 1-3 edited copies (``dedupe_corpus.edit``: new boilerplate, ~5% of sentences
changed, paragraphs moved). Texts are generated, signed and dropped one at a time: memory
holds the (n, 128) uint32 signatures and the LSH keys, never the texts. Groups them twice,
with ``group_signatures`` (band by band) and with the all-pairs path ``components(n,
similar_pairs(sigs))``, checks that both agree, and prints time and tracemalloc peak of each,
the process's max RSS (after both) and the pair recall/precision against the known families.

    python tests/benchmarks/bench_dedupe.py            # 100,000 articles
    python tests/benchmarks/bench_dedupe.py -n 20000
    python tests/benchmarks/bench_dedupe.py -n 20000 --copy-share 1 --copies 100   # ~50 copies a story
"""
from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedupe_corpus import SENT, bench_bodies, edit, pairs_of  # noqa: E402
from pipeline.dedupe.near import DEFAULT, components, group_signatures, signature, similar_pairs  # noqa: E402


def synthetic(n: int, pool: list[str], seed: int = 11, copy_share: float = 0.3, max_copies: int = 3):
    """Yield (text, family) for n texts: collage originals, each followed by its edited copies."""
    rng = random.Random(seed)
    made = fam = 0
    while made < n:
        paras = ["".join(rng.choices(pool, k=rng.randint(2, 5))) for _ in range(rng.randint(2, 12))]
        body = "\n".join(paras)
        yield body, fam
        made += 1
        copies = rng.randint(1, max_copies) if rng.random() < copy_share else 0
        for _ in range(min(copies, n - made)):
            yield edit(body, rng, pool), fam
            made += 1
        fam += 1


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--copy-share", type=float, default=0.3, help="share of articles that get copies")
    ap.add_argument("--copies", type=int, default=3, help="at most this many copies of one article")
    args = ap.parse_args()
    pool = [s for b in bench_bodies() for s in SENT.split(b.replace("\n", "")) if 8 <= len(s) <= 120]
    print(f"sentence pool {len(pool)}; rss after setup {rss_mb():.0f} MB")

    t0 = time.perf_counter()
    sigs = np.empty((args.n, DEFAULT.permutations), dtype=np.uint32)
    labels = np.empty(args.n, dtype=np.int64)
    chars = 0
    for i, (text, fam) in enumerate(synthetic(args.n, pool, copy_share=args.copy_share, max_copies=args.copies)):
        sigs[i] = signature(text)
        labels[i] = fam
        chars += len(text)
    t1 = time.perf_counter()
    print(f"generate + sign {args.n} texts ({chars / args.n:.0f} chars mean): {t1 - t0:.1f}s")

    tracemalloc.start()
    t1 = time.perf_counter()
    groups = group_signatures(sigs).tolist()
    t2 = time.perf_counter()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"group_signatures: {t2 - t1:.1f}s, peak traced memory {peak / 2**20:.0f} MB "
          f"(signatures {sigs.nbytes / 2**20:.0f} MB)")

    tracemalloc.start()
    t2 = time.perf_counter()
    pairs = similar_pairs(sigs)
    t3 = time.perf_counter()
    old = components(args.n, pairs)
    t4 = time.perf_counter()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"all pairs: LSH + verify {t3 - t2:.1f}s ({len(pairs)} similar pairs), components {t4 - t3:.1f}s, "
          f"peak traced memory {peak / 2**20:.0f} MB; same groups: {old == groups}")
    print(f"max RSS {rss_mb():.0f} MB")

    found, truth = pairs_of(groups), pairs_of(labels.tolist())
    hit = len(found & truth)
    print(f"groups {len(set(groups))}, families {len(set(labels.tolist()))}; pair recall {hit / max(1, len(truth)):.4f} "
          f"precision {hit / max(1, len(found)):.4f} (true {len(truth)}, found {len(found)})")
    print(f"total {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
