"""Validation of the released tables with the Great Expectations suites in ``expectations/``.

``validate_release`` re-checks a published release (``dgn validate RELEASE``); the publish
step calls ``pipeline.validate.run.validate_tables`` on the tables before they are written.
GX is imported only when a check runs.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pipeline.validate.run import ValidationReport

__all__ = ["ValidationReport", "validate_release"]


def validate_release(path: Path, docs_dir: Path | None = None) -> ValidationReport:
    """Every suite on a release's Parquet files, one pass, no quarantine, a row batch at a
    time: ``report.all_passed`` says whether the release holds up. ``published_at`` is checked
    against its ``created_at``."""
    from pipeline.tables import RELEASED
    from pipeline.validate.run import validate_sources

    path = Path(path)
    manifest = path / "manifest.json"
    created = json.loads(manifest.read_text("utf-8"))["created_at"] if manifest.is_file() else None
    run_time = dt.datetime.fromisoformat(created) if created else dt.datetime.now(dt.timezone.utc)
    from pipeline.publish.layout import table_files
    from pipeline.publish.stream import TableSource

    tables = {}
    for name in RELEASED:
        files = table_files(path, name)
        if not files:
            raise FileNotFoundError(f"{path} is not a DGN release: data/{name}.parquet/ missing")
        tables[name] = TableSource(name, files=tuple(files))  # every part
    _, report = validate_sources(tables, run_time, docs_dir=docs_dir, quarantine=False)
    return report
