"""Boilerplate markers from pipeline/data/boilerplate.yaml: the one list that the cleaner
drops by and the validation suites check released bodies against."""
from __future__ import annotations

import re
import re._constants as _C
import re._parser as _parser
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
    from pipeline.clean import yamlfile

    spec = yamlfile.load(Path(path or DEFAULT_PATH).read_text("utf-8"))
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


def squeeze(line: str) -> str:
    """Runs of white space as one space, none at the ends. (str.split and the regex \\s know
    the same white space; split and join are three times faster than the regex.)"""
    return " ".join(line.split())


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


def _literals(items) -> list[str] | None:
    """The strings a parsed regex sequence matches when it is made of literals and groups of
    alternative literals only, else None."""
    outs = [""]
    for op, av in items:
        if op is _C.LITERAL:
            outs = [o + chr(av) for o in outs]
        elif op is _C.SUBPATTERN and not av[1] and not av[2]:
            sub = _literals(av[3])
            if sub is None:
                return None
            outs = [o + x for o in outs for x in sub]
        elif op is _C.BRANCH:
            sub = []
            for alt in av[1]:
                a = _literals(alt)
                if a is None:
                    return None
                sub += a
            outs = [o + x for o in outs for x in sub]
        else:
            return None
        if len(outs) > 64:
            return None
    return outs


def required_strings(items) -> list[str] | None:
    """Strings one of which every match of a parsed regex sequence contains (the longest such
    choice), or None when none can be told: a run of literals, a group of alternative
    literals, or what every alternative of a branch requires."""
    cands, run = [], []
    for op, av in list(items) + [(None, None)]:
        if op is _C.LITERAL:
            run.append(chr(av))
            continue
        if run:
            cands.append(["".join(run)])
            run = []
        if op is _C.SUBPATTERN and not av[1] and not av[2]:
            a = _literals(av[3])
            r = a if a is not None and all(a) else required_strings(av[3])
        elif op is _C.BRANCH:
            alts = [required_strings(alt) for alt in av[1]]
            r = None if any(a is None for a in alts) else [w for a in alts for w in a]
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT) and av[0] >= 1:
            r = required_strings(av[2])
        else:
            r = None
        if r:
            cands.append(r)
    return max(cands, key=lambda c: min(map(len, c))) if cands else None


def any_of(strings):
    """A search for any of the strings, the longest first (one regex, which the engine scans
    for by their first characters, not a Python loop of ``in`` tests); None for no strings."""
    if not strings:
        return None
    return re.compile("|".join(map(re.escape, sorted(strings, key=lambda w: (-len(w), w))))).search


def literal_screen(patterns) -> tuple:
    """(search, always) for telling quickly that no pattern can match a string: ``search`` finds
    any of the strings the patterns require (None when none requires one), ``always`` are the
    patterns that require none (case-insensitive ones too), to be tried anyway. A string
    ``search`` misses can be matched by ``always`` only."""
    words, always = set(), []
    for p in patterns:
        parsed = _parser.parse(p.pattern)
        req = None if parsed.state.flags & re.IGNORECASE else required_strings(parsed)
        if req is None:
            always.append(p)
        else:
            words.update(req)
    return any_of(words), tuple(always)


_CATEGORY_CLASS = {_C.CATEGORY_DIGIT: r"\d", _C.CATEGORY_NOT_DIGIT: r"\D", _C.CATEGORY_SPACE: r"\s",
                   _C.CATEGORY_NOT_SPACE: r"\S", _C.CATEGORY_WORD: r"\w", _C.CATEGORY_NOT_WORD: r"\W"}


def _char(code: int) -> str:
    return f"\\U{code:08x}"


def first_chars(items) -> tuple[list[str] | None, bool]:
    """(parts of a character class that holds every first character of a match of a parsed
    regex sequence, or None when it cannot be told; whether the sequence can match nothing)."""
    parts: list[str] = []
    for op, av in items:
        if op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):  # zero width: the next item says
            continue
        if op is _C.LITERAL:
            return [*parts, _char(av)], False
        if op is _C.IN:
            got = []
            for cop, cav in av:
                if cop is _C.LITERAL:
                    got.append(_char(cav))
                elif cop is _C.RANGE:
                    got.append(_char(cav[0]) + "-" + _char(cav[1]))
                elif cop is _C.CATEGORY and cav in _CATEGORY_CLASS:
                    got.append(_CATEGORY_CLASS[cav])
                else:
                    return None, False
            return parts + got, False
        if op is _C.SUBPATTERN and not av[1] and not av[2]:
            sub, empty = first_chars(av[3])
        elif op is _C.BRANCH:
            sub, empty = [], False
            for alt in av[1]:
                got, e = first_chars(alt)
                if got is None:
                    return None, False
                sub, empty = sub + got, empty or e
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
            sub, empty = first_chars(av[2])
            empty = empty or av[0] == 0
        else:
            return None, False
        if sub is None:
            return None, False
        parts += sub
        if not empty:
            return parts, False
    return parts, True


def _guarded(patterns: list[str]) -> tuple:
    """(one match function for the patterns whose first characters can be told, behind a
    look-ahead for those characters, so that a line starting otherwise fails at once where
    the engine would enter every alternative; the other patterns)."""
    guarded, rest, first = [], [], []
    for p in patterns:
        parsed = _parser.parse(p)
        got, empty = (None, True) if parsed.state.flags & re.IGNORECASE else first_chars(parsed)
        if got is None or empty:
            rest.append(p)
        else:
            guarded.append(p)
            first += got
    if not guarded:
        return (lambda s: None), rest
    alts = "|".join(f"(?:{p})" for p in guarded)
    return re.compile(f"^(?=[{''.join(first)}])(?:{alts})").match, rest


@lru_cache(maxsize=1)
def _screen() -> tuple:
    """Every pattern, for telling quickly that a line carries no marker (most lines): those
    anchored at the line start whose first characters can be told as one regex (tried at one
    position, behind a look-ahead for those characters); for the others, one regex of the
    strings each requires (a flat list of literals, which the regex engine scans for by their
    first characters), then those it finds tried one by one. Only a line that one of them
    matches is tried kind by kind. (An anchored pattern that can start with any character
    and requires no string is tried on every line, as is a pattern that requires none.)"""
    ms = load_markers()
    start, loose = _guarded([m.pattern.pattern[1:] for m in ms if m.pattern.pattern.startswith("^")])
    loose = {"^" + p for p in loose}
    rest = [m.pattern for m in ms if not m.pattern.pattern.startswith("^") or m.pattern.pattern in loose]
    found, always = literal_screen(rest)
    return start, found, tuple(p.search for p in always), tuple(p.search for p in rest)


def _may_match(s: str) -> bool:
    start, found, always, rest = _screen()
    if start(s):
        return True
    if found is not None and found(s) is None:
        searches = always
    else:
        searches = rest
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
