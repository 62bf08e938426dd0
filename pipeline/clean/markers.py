"""Boilerplate markers from pipeline/data/boilerplate.yaml: the one list that the cleaner
drops by and the validation suites check released bodies against."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.clean.memo import per_line

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "boilerplate.yaml"


@dataclass(frozen=True)
class Marker:
    kind: str
    action: str  # drop | stop | meta
    pattern: re.Pattern
    short: int | None = None

    def matches(self, line: str) -> bool:
        if self.short is not None and len(line) > self.short:
            return False
        return self.pattern.search(line) is not None


@lru_cache(maxsize=4)
def load_markers(path: str | None = None) -> tuple[Marker, ...]:
    """All markers, in file order. Cached: the file is read once a process."""
    import yaml

    spec = yaml.safe_load(Path(path or DEFAULT_PATH).read_text("utf-8"))
    out = []
    for kind, body in spec["kinds"].items():
        for pat in body["patterns"]:
            out.append(Marker(kind, body["action"], re.compile(pat), body.get("short")))
    return tuple(out)


def load_marker_patterns(path: str | None = None) -> dict[str, list[str]]:
    """kind -> regex strings; what a validator needs to check a body for left-over markers."""
    pats: dict[str, list[str]] = {}
    for m in load_markers(path):
        pats.setdefault(m.kind, []).append(m.pattern.pattern)
    return pats


_WS = re.compile(r"\s+")


def squeeze(line: str) -> str:
    return _WS.sub(" ", line).strip()


_LEAD = re.compile(r"^(?:[•·●○■□◆◇▪▶►>*※★☆\-]+\s*|\d{1,2}\s*[.、)）]\s*)")


@lru_cache(maxsize=1)
def _by_kind() -> tuple[tuple[Marker, ...], ...]:
    """Each kind's patterns as at most two regexes (those anchored at the line start, which
    the regex engine tries at one position only, and the rest): one search a kind, not one
    a pattern, in file order of kinds. Same answers as trying the markers one by one."""
    kinds: dict[str, list[Marker]] = {}
    for m in load_markers():
        kinds.setdefault(m.kind, []).append(m)
    out = []
    for ms in kinds.values():
        first = ms[0]
        anchored = [m.pattern.pattern[1:] for m in ms if m.pattern.pattern.startswith("^")]
        rest = [m.pattern.pattern for m in ms if not m.pattern.pattern.startswith("^")]
        group = []
        if anchored:
            group.append(Marker(first.kind, first.action, re.compile("^(?:" + "|".join(f"(?:{p})" for p in anchored) + ")"), first.short))
        if rest:
            group.append(Marker(first.kind, first.action, re.compile("|".join(f"(?:{p})" for p in rest)), first.short))
        out.append(tuple(group))
    return tuple(out)


@lru_cache(maxsize=1)
def _screen() -> tuple:
    """Every pattern, for telling quickly that a line carries no marker (most lines): those
    anchored at the line start as one regex (tried at one position), the others one by one
    (each scans for its own first characters; as one alternation they would be tried at every
    position). Only a line that one of them finds is tried kind by kind."""
    ms = load_markers()
    anchored = [m.pattern.pattern[1:] for m in ms if m.pattern.pattern.startswith("^")]
    start = re.compile("^(?:" + "|".join(f"(?:{p})" for p in anchored) + ")").match
    return start, tuple(m.pattern.search for m in ms if not m.pattern.pattern.startswith("^"))


def _may_match(s: str) -> bool:
    start, searches = _screen()
    if start(s):
        return True
    for search in searches:
        if search(s):
            return True
    return False


@per_line
def classify(line: str) -> Marker | None:
    """The first kind of marker a line matches (after a leading bullet or list number), or None."""
    s = _LEAD.sub("", squeeze(line))
    if not _may_match(s):
        return None
    for group in _by_kind():
        for m in group:
            if m.matches(s):
                return m
    return None


def find_markers(text: str) -> list[tuple[str, str]]:
    """(kind, line) for every line of a body that still carries a marker: the release check."""
    return [(m.kind, line) for line in text.splitlines() if (m := classify(line))]
