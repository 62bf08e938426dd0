"""The optional ``pages.csv`` beside plain files: path, url, fetched_at."""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=256)
def _load(folder: str) -> dict[str, tuple[str | None, str | None]]:
    f = Path(folder, "pages.csv")
    if not f.is_file():
        return {}
    out = {}
    try:
        with open(f, newline="", encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                p = (row.get("path") or "").strip()
                if p:
                    out[p] = ((row.get("url") or "").strip() or None, (row.get("fetched_at") or "").strip() or None)
    except (OSError, csv.Error, UnicodeDecodeError):
        return {}
    return out


def lookup(path: str) -> tuple[str | None, str | None]:
    """URL and fetch time for a page file from the nearest pages.csv up its folders."""
    p = Path(path)
    for folder in p.parents:
        table = _load(str(folder))
        if table:
            rel = p.relative_to(folder).as_posix()
            for key in (rel, p.name):
                if key in table:
                    return table[key]
        if (folder / "pages.csv").exists():
            break
    return None, None
