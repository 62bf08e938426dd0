"""The lists the suites refer to as ``$PARAMETER`` values, each read from its one file.

Boilerplate markers come from the cleaner's ``pipeline/data/boilerplate.yaml`` (the list it
drops lines by); spam brands, GB/T 2260 region codes and statistics units from the
normalizer's and extractor's tables in ``pipeline/data/``; PII patterns from
``pipeline/data/pii_patterns.yaml``, the one list the redactor uses too (validation checks
that nothing slipped past redaction, in every text column).
A marker with ``short: N`` only counts on a line of at most N characters; it is turned into
one multi-line regex that says so, because GX matches a regex against the whole cell.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
BOILERPLATE_FILE = DATA / "boilerplate.yaml"
_GLOBAL_FLAGS = re.compile(r"^\(\?([aiLmsux]+)\)")


def _line_regex(pattern: str, short: int | None, lead: str) -> str:
    """One marker as a regex over a whole body that matches where the cleaner's ``classify``
    matches a line: after a leading bullet or list number (``lead``, taken possessively as
    the cleaner strips it), anchored at the line start if the marker is, and on lines of at
    most ``short`` characters if it says so."""
    m = _GLOBAL_FLAGS.match(pattern)
    flags, rest = (m.group(1), pattern[m.end():]) if m else ("", pattern)
    anchored = rest.startswith("^")
    body = f"(?{flags}:{rest[1:] if anchored else rest})" if flags else f"(?:{rest[1:] if anchored else rest})"
    if not anchored and short is None:
        return "(?m)" + body
    head = "(?m)^" + (f"(?:{lead})?+" if lead else "")
    if short is not None:
        head += "(?=[^\\n]{0,%d}$)" % short
    return head + ("" if anchored else "[^\\n]*?") + body


def _boilerplate_specs() -> tuple[list[tuple[str, str, int | None]], str]:
    """(kind, pattern, short) of every marker, and the line-lead regex the cleaner strips."""
    try:
        from pipeline.clean import markers

        lead = getattr(markers, "_LEAD", None)
        return ([(m.kind, m.pattern.pattern, m.short) for m in markers.load_markers()],
                lead.pattern.lstrip("^") if lead is not None else "")
    except ImportError:
        import yaml

        spec = yaml.safe_load(BOILERPLATE_FILE.read_text("utf-8"))
        return [(kind, p, body.get("short")) for kind, body in spec["kinds"].items()
                for p in body["patterns"]], ""


@lru_cache(maxsize=1)
def boilerplate_markers() -> tuple[str, ...]:
    specs, lead = _boilerplate_specs()
    return tuple(_line_regex(p, short, lead) for _, p, short in specs)


def pii_patterns() -> dict[str, str]:
    from pipeline.normalize.pii import patterns

    return patterns()


def _table(name: str) -> tuple[dict[str, str], ...]:
    from pipeline.normalize.reference import table

    return table(name)


def spam_sources() -> list[str]:
    """Brands matched as the normalizer matches them: literally, ignoring case."""
    return ["(?i)" + re.escape(r["pattern"]) for r in _table("spam_sources.csv")]


def known_region_codes() -> list[str]:
    return sorted(r["code"] for r in _table("regions.csv"))


def known_region_code_regex() -> str:
    """The known codes as one anchored regex grouped by their first four digits: a regex
    is one string to GX, where a value set of thousands is copied at every step."""
    groups: dict[str, list[str]] = {}
    for code in known_region_codes():
        groups.setdefault(code[:4], []).append(code[4:])
    return "^(?:%s)$" % "|".join(f"{head}(?:{'|'.join(tails)})" for head, tails in groups.items())


def units() -> list[str]:
    return [r["unit"] for r in _table("units.csv")]


def first_match(text: str, patterns: list[str]) -> str | None:
    for p in patterns:
        m = re.search(p, text)
        if m:
            return m.group(0)
    return None


def parameters() -> dict:
    """The ``$PARAMETER`` values but ``run_time``, which the run adds."""
    return {
        "boilerplate_markers": list(boilerplate_markers()),
        "pii_patterns": list(pii_patterns().values()),
        "spam_sources": spam_sources(),
        "known_region_code_regex": known_region_code_regex(),
        "units": units(),
    }
