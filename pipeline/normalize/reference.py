"""Reference data shipped under ``pipeline/data/``, read once per process.

Registry, vocabularies and word lists live in CSV/YAML so that a reader can review and
extend them without touching code; both normalize and extract load them through here.
"""
from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from typing import Any


def _text(name: str) -> str:
    return resources.files("pipeline").joinpath("data", name).read_text("utf-8")


@cache
def table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a CSV file under pipeline/data as dicts (immutable tuple, cached)."""
    return tuple(csv.DictReader(_text(name).splitlines()))


@cache
def rules() -> dict[str, Any]:
    """The extraction word lists (extract_rules.yaml)."""
    import yaml

    return yaml.safe_load(_text("extract_rules.yaml"))


def split_list(cell: str | None) -> list[str]:
    """A ``|``-separated CSV cell as a list, empty parts dropped."""
    return [p.strip() for p in (cell or "").split("|") if p.strip()]
