"""The tables of a stored shard's kept pages, extracted where the shard task runs.

Apart from ``staging`` (which writes Parquet with Arrow) so that a worker process that runs
it loads only the page stages, not Arrow: a worker is one of a run's several processes, and
what each imports it holds for the whole run.
"""
from __future__ import annotations

import os
import pickle


def extract_staged_files(jobs: list[tuple[str, list[str]]], limits: dict) -> list[dict]:
    """The tables of the pages ``ids`` of each stored shard ``path`` of ``jobs``, extracted
    together (the tagger batches pages of several shards when each has only a few kept pages,
    as on a crawl of reprints) and stored with them (``stages.extract_candidates``; each file
    is replaced whole, so a reader never sees half of it); returns the rejected rows of the
    pages whose extraction failed. Runs wherever the shard task runs (a worker process, a
    Dask worker): it reads and writes only the files."""
    from pipeline.run.stages import extract_candidates

    shards = []
    for path, _ in jobs:
        with open(path, "rb") as fh:
            shards.append(pickle.load(fh))
    every = [c for cands in shards for c in cands]
    failed = extract_candidates(every, {p for _, ids in jobs for p in ids}, limits)
    gone = {r["page_id"] for r in failed}
    for (path, _), cands in zip(jobs, shards):
        if gone:
            cands[:] = [c for c in cands if c["page_id"] not in gone]
        tmp = f"{path}.part"
        with open(tmp, "wb") as fh:
            pickle.dump(cands, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    return failed
