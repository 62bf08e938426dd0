"""Find raw pages under the input folders, in a stable order."""
from __future__ import annotations

import os
import stat
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
    mtime_ns: int = 0
    # What a shard's cache key sees of the file beside path, size and mtime: a file rewritten
    # in any way gets a new change time, which no copy tool can set (cp -p and rsync -t keep
    # the mtime), and a file replaced by another gets a new inode.
    ctime_ns: int = 0
    inode: int = 0


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
    except RuntimeError:  # a symlink loop (Python 3.11): points nowhere; stat() reports it
        return True


def printable_path(path: Path | str) -> str:
    """The path as valid UTF-8 for the rejected table (undecodable bytes as \\xNN)."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def discover(inputs: list[str | Path]) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """Return (page files, skipped) for files and folders, read recursively.

    Links that lead outside their input folder are not followed (skipped with a reason), so a
    planted symlink cannot pull a private file into a public dataset. Only regular files are
    read: a FIFO or device named like a page would block or never end (skipped, ``not_a_file``).
    Skipped paths are made printable (see ``printable_path``).
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
            def unreadable_dir(e: OSError) -> None:
                skipped.append((printable_path(e.filename), f"unreadable: {e.strerror}"))

            for dirpath, dirnames, filenames in os.walk(top, followlinks=False, onerror=unreadable_dir):
                dirnames.sort()
                for d in list(dirnames):
                    if os.path.islink(os.path.join(dirpath, d)) and not _within(Path(dirpath, d), root):
                        skipped.append((printable_path(os.path.join(dirpath, d)), "link_outside_input"))
                        dirnames.remove(d)
                candidates.extend(Path(dirpath, f) for f in sorted(filenames))
        else:
            skipped.append((printable_path(top), "input_not_found"))
            continue
        for p in candidates:
            if p.name == SIDECAR:
                continue
            if p.is_symlink() and not _within(p, root):
                skipped.append((printable_path(p), "link_outside_input"))
                continue
            kind = kind_of(p.name)
            if kind == "unknown":
                continue
            try:
                st = p.stat()
            except (OSError, RuntimeError) as e:
                skipped.append((printable_path(p), f"unreadable: {getattr(e, 'strerror', None) or e}"))
                continue
            if not stat.S_ISREG(st.st_mode):
                skipped.append((printable_path(p), "not_a_file: " + ("a FIFO" if stat.S_ISFIFO(st.st_mode) else
                                                          "a device or socket")))
                continue
            found.setdefault(str(p), SourceFile(str(p), kind, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
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
