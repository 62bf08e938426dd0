"""The shard cache: finished shard results of the runs on one output folder, with a bound.

A shard task's result is kept on disk so that a run restarted after a crash reuses the shards
it had finished. Prefect's default store (``~/.prefect/storage``) grew without end (1.4 GB
after 107k pages); here it lives in the output folder (``OUTPUT/.cache/shards``) and is pruned
after each run that publishes: entries the run neither wrote nor read go (a shard's result is
keyed on the pages the release already holds, so an entry of an earlier release serves no later
run), then the oldest of the rest until the folder fits ``DGN_CACHE_MAX_BYTES`` (default 1 GiB; 0
keeps nothing once a release is out).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

FOLDER = Path(".cache") / "shards"
DEFAULT_MAX_BYTES = 1 << 30
CLOCK_SLACK_NS = 1_000_000_000  # file times (coarse, or another machine's) against this clock


def max_bytes() -> int:
    env = os.environ.get("DGN_CACHE_MAX_BYTES", "").strip()
    return max(0, int(env)) if env else DEFAULT_MAX_BYTES


class ShardCache:
    """The cache of one run: where its shard results go, and which entries it used."""

    def __init__(self, output_dir: str | Path):
        self.path = (Path(output_dir) / FOLDER).resolve()
        self.used: set[str] = set()
        self.started = time.time_ns() - CLOCK_SLACK_NS

    def storage(self) -> Path:
        """The cache folder as Prefect's ``result_storage`` (a path: no block to register)."""
        return self.path

    def note(self, state) -> None:
        """Mark the entry a finished shard's ``state`` was written to or read from as used
        (a state read back from the API carries no key: entries written during the run are
        kept whether noted or not)."""
        data = getattr(state, "data", None)
        key = getattr(getattr(data, "metadata", data), "storage_key", None)
        if key:
            self.used.add(Path(key).name)

    def prune(self, limit: int | None = None) -> int:
        """Drop the entries this run neither noted nor wrote, then the oldest until the folder
        holds at most ``limit`` bytes (``max_bytes()`` by default). Returns the bytes left."""
        limit = max_bytes() if limit is None else limit
        entries = []
        for p in self.path.glob("*") if self.path.is_dir() else ():
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            if not p.is_file():
                continue
            if p.name not in self.used and st.st_mtime_ns < self.started:
                p.unlink(missing_ok=True)
            else:
                entries.append((st.st_mtime_ns, p.name, st.st_size, p))
        total = sum(e[2] for e in entries)
        for _, _, size, p in sorted(entries):
            if total <= limit:
                break
            p.unlink(missing_ok=True)
            total -= size
        return total
