"""The optional ``pages.csv`` beside plain files: path, url, fetched_at."""
from __future__ import annotations

import csv
import io
import logging
import posixpath
from functools import lru_cache
from pathlib import Path


FIELD_LIMIT = 16 * 1024 * 1024  # csv's default of 131,072 characters drops rows with long URLs
log = logging.getLogger("dgn.ingest")


@lru_cache(maxsize=256)
def _load(folder: str) -> dict[str, tuple[str | None, str | None]]:
    """path (as written, ``./`` and doubled slashes folded) -> (url, fetched_at). The file may
    be in any encoding the pages may; a row that cannot be read is skipped, not the file."""
    from pipeline.ingest.decode import decode_bytes

    f = Path(folder, "pages.csv")
    if not f.is_file():
        return {}
    try:
        text, _ = decode_bytes(f.read_bytes())
    except OSError as e:
        log.warning("%s cannot be read (%s): its pages have no URL", f, e.strerror or e)
        return {}
    out = {}
    limit = csv.field_size_limit()
    csv.field_size_limit(FIELD_LIMIT)
    try:
        rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
        while True:
            try:
                row = next(rows)
            except StopIteration:
                break
            except csv.Error as e:
                log.warning("%s line %d skipped: %s", f, rows.line_num, e)
                continue
            p = _key(row.get("path") or "")
            if p:
                out[p] = ((row.get("url") or "").strip() or None, (row.get("fetched_at") or "").strip() or None)
    finally:
        csv.field_size_limit(limit)
    return out


def _key(path: str) -> str:
    path = path.strip().replace("\\", "/")
    return posixpath.normpath(path) if path else ""


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
