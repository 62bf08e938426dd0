"""The tables of a stored shard's kept pages, extracted where the shard task runs.

Apart from ``staging`` (which writes Parquet with Arrow) so that a worker process that runs
it loads only the page stages, not Arrow: a worker is one of a run's several processes, and
what each imports it holds for the whole run.
"""
from __future__ import annotations

import os
import pickle


def extract_staged(path: str, ids: list[str], limits: dict) -> list[dict]:
    """The tables of the pages ``ids`` of one stored shard, extracted and stored with them
    (``stages.extract_candidates``; the file is replaced whole, so a reader never sees half of
    it); returns the rejected rows of the pages whose extraction failed. Runs wherever the
    shard task runs (a worker process, a Dask worker): it reads and writes only the file."""
    from pipeline.run.stages import extract_candidates

    with open(path, "rb") as fh:
        cands = pickle.load(fh)
    failed = extract_candidates(cands, set(ids), limits)
    tmp = f"{path}.part"
    with open(tmp, "wb") as fh:
        pickle.dump(cands, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    return failed
