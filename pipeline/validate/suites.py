"""The expectation suites: ``expectations/<table>.json``, one a released table.

They are GX 1.x suite documents kept as code. Each expectation's ``meta.on_failure`` says
what a failure means: ``quarantine`` moves the failing rows to ``rejected.parquet`` and
releases the rest, ``block`` stops the release. ``meta.family`` groups them in reports.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from pipeline.tables import RELEASED

ON_FAILURE = ("quarantine", "block")


def suites_dir() -> Path:
    """``$DGN_EXPECTATIONS`` or the repository's top-level ``expectations/``."""
    env = os.environ.get("DGN_EXPECTATIONS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "expectations"


def load_suite(name: str, folder: Path | None = None) -> dict:
    path = (folder or suites_dir()) / f"{name}.json"
    suite = json.loads(path.read_text("utf-8"))
    if suite.get("name") != name:
        raise ValueError(f"{path}: suite name {suite.get('name')!r} is not {name!r}")
    for i, e in enumerate(suite["expectations"]):
        if e.get("meta", {}).get("on_failure") not in ON_FAILURE:
            raise ValueError(f"{path}: expectation {i} ({e.get('type')}) needs meta.on_failure in {ON_FAILURE}")
    return suite


def load_suites(folder: Path | None = None) -> dict[str, dict]:
    """Every released table's suite; a missing one is an error, not a silent pass."""
    return {name: load_suite(name, folder) for name in RELEASED}
