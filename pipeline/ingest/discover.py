"""Find raw pages under the input folders, in a stable order."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PAGE_SUFFIXES = {
    ".html": "html", ".htm": "html", ".shtml": "html", ".txt": "text",
    ".warc": "warc", ".warc.gz": "warc", ".jsonl": "jsonl", ".jsonl.gz": "jsonl",
}
SIDECAR = "pages.csv"


@dataclass(frozen=True)
class SourceFile:
    path: str
    kind: str  # html | text | warc | jsonl | unknown
    size: int
    mtime_ns: int = 0  # with path and size, what a shard's cache key sees of the file


def kind_of(name: str) -> str:
    low = name.lower()
    for suffix in (".warc.gz", ".jsonl.gz"):
        if low.endswith(suffix):
            return PAGE_SUFFIXES[suffix]
    return PAGE_SUFFIXES.get(os.path.splitext(low)[1], "unknown")


def _within(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError):
        return False


def discover(inputs: list[str | Path]) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """Return (page files, skipped) for files and folders, read recursively.

    Links that lead outside their input folder are not followed (skipped with a reason), so a
    planted symlink cannot pull a private file into a public dataset.
    """
    found: dict[str, SourceFile] = {}
    skipped: list[tuple[str, str]] = []
    for item in inputs:
        top = Path(item)
        if top.is_file():
            candidates, root = [top], top.resolve().parent
        elif top.is_dir():
            root = top.resolve()
            candidates = []
            for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
                dirnames.sort()
                for d in list(dirnames):
                    if os.path.islink(os.path.join(dirpath, d)) and not _within(Path(dirpath, d), root):
                        skipped.append((os.path.join(dirpath, d), "link_outside_input"))
                        dirnames.remove(d)
                candidates.extend(Path(dirpath, f) for f in sorted(filenames))
        else:
            skipped.append((str(top), "input_not_found"))
            continue
        for p in candidates:
            if p.name == SIDECAR:
                continue
            if p.is_symlink() and not _within(p, root):
                skipped.append((str(p), "link_outside_input"))
                continue
            kind = kind_of(p.name)
            if kind == "unknown":
                continue
            try:
                st = p.stat()
            except OSError as e:
                skipped.append((str(p), f"unreadable: {e.strerror}"))
                continue
            found.setdefault(str(p), SourceFile(str(p), kind, st.st_size, st.st_mtime_ns))
    return sorted(found.values(), key=lambda s: s.path), skipped


def shard(files: list[SourceFile], max_bytes: int = 8_000_000, max_files: int = 200) -> list[list[SourceFile]]:
    """Group files into shards of bounded size: the unit of work of one Prefect task."""
    shards: list[list[SourceFile]] = []
    cur: list[SourceFile] = []
    size = 0
    for f in files:
        if cur and (size + f.size > max_bytes or len(cur) >= max_files):
            shards.append(cur)
            cur, size = [], 0
        cur.append(f)
        size += f.size
    if cur:
        shards.append(cur)
    return shards
