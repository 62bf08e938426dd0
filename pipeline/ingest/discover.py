"""Find raw pages under the input folders, in a stable order."""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Iterator, NamedTuple

PAGE_SUFFIXES = {
    ".html": "html", ".htm": "html", ".shtml": "html", ".txt": "text",
    ".warc": "warc", ".warc.gz": "warc", ".jsonl": "jsonl", ".jsonl.gz": "jsonl",
}
SIDECAR = "pages.csv"


class SourceFile(NamedTuple):
    """One input file as listed (a tuple: a large input lists hundreds of thousands, and a
    tuple is made several times faster than a frozen dataclass)."""

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
    dot = name.rfind(".")
    if dot < 0 or not name[:dot].strip("."):  # no suffix, or only leading dots (".html" is a name)
        return "unknown"
    ext = name[dot:].lower()
    if ext == ".gz":
        low = name.lower()
        for suffix in (".warc.gz", ".jsonl.gz"):
            if low.endswith(suffix):
                return PAGE_SUFFIXES[suffix]
        return "unknown"
    return PAGE_SUFFIXES.get(ext, "unknown")


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


def _folders(top: str, root: Path, skipped: list[tuple[str, str]]) -> Iterator[list[tuple[str, os.DirEntry]]]:
    """The files of ``top`` and of its folders, depth first in name order, as ``os.walk``
    without following links walks them; by ``os.scandir``, whose entries know whether they are
    links and keep their ``stat``, so a large input is listed with one system call a file.
    A link to a folder is not entered; one that leads outside the input is reported."""
    try:
        with os.scandir(top) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        skipped.append((printable_path(e.filename or top), f"unreadable: {e.strerror}"))
        return
    bare = top == "."  # the paths Path(top, name) gives: "name", not "./name"
    folders, files = [], []
    for e in entries:
        try:
            is_dir = e.is_dir()
        except OSError:
            is_dir = False
        (folders if is_dir else files).append((e.name if bare else e.path, e))
    for path, d in folders:
        if d.is_symlink() and not _within(Path(path), root):
            skipped.append((printable_path(path), "link_outside_input"))
    yield files
    for path, d in folders:
        if not d.is_symlink():
            yield from _folders(path, root, skipped)


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
            candidates, root = [(str(top), None)], top.resolve().parent
        elif top.is_dir():
            root = top.resolve()
            candidates = []
            for folder in _folders(str(top), root, skipped):
                candidates.extend(folder)
        else:
            skipped.append((printable_path(top), "input_not_found"))
            continue
        for path, entry in candidates:
            name = entry.name if entry is not None else os.path.basename(path)
            if name == SIDECAR:
                continue
            link = entry.is_symlink() if entry is not None else os.path.islink(path)
            if link and not _within(Path(path), root):
                skipped.append((printable_path(path), "link_outside_input"))
                continue
            kind = kind_of(name)
            if kind == "unknown":
                continue
            try:
                st = entry.stat() if entry is not None else os.stat(path)
            except (OSError, RuntimeError) as e:
                skipped.append((printable_path(path), f"unreadable: {getattr(e, 'strerror', None) or e}"))
                continue
            if not stat.S_ISREG(st.st_mode):
                skipped.append((printable_path(path), "not_a_file: " + ("a FIFO" if stat.S_ISFIFO(st.st_mode) else
                                                             "a device or socket")))
                continue
            found.setdefault(path, SourceFile(path, kind, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
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
