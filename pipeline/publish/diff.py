"""What changed between two releases: rows added, removed and changed, per table, by key."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipeline.tables import RELEASED, TABLES

EXAMPLES = 5


def _version(release: Path) -> str:
    manifest = release / "manifest.json"
    if manifest.is_file():
        return json.loads(manifest.read_text("utf-8")).get("version", release.name)
    return release.name


def _rows(release: Path, name: str) -> dict[str, str]:
    """key (JSON array) -> digest of the whole row; an absent table is an empty one."""
    import pyarrow.parquet as pq

    path = release / "data" / f"{name}.parquet"
    if not path.is_file():
        return {}
    pk = TABLES[name].primary_key
    out = {}
    for batch in pq.ParquetFile(path).iter_batches(batch_size=2048):  # a release can outgrow memory as rows
        for row in batch.to_pylist():
            key = json.dumps([row.get(k) for k in pk], ensure_ascii=False, default=str)
            body = json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)
            out[key] = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return out


def diff_releases(old: Path, new: Path) -> dict:
    old, new = Path(old), Path(new)
    tables = {}
    for name in RELEASED:
        a, b = _rows(old, name), _rows(new, name)
        added = sorted(b.keys() - a.keys())
        removed = sorted(a.keys() - b.keys())
        changed = sorted(k for k in a.keys() & b.keys() if a[k] != b[k])
        tables[name] = {
            "old_rows": len(a), "new_rows": len(b), "added": len(added), "removed": len(removed),
            "changed": len(changed), "unchanged": len(a.keys() & b.keys()) - len(changed),
            "examples": {"added": added[:EXAMPLES], "removed": removed[:EXAMPLES], "changed": changed[:EXAMPLES]},
        }
    return {"old": _version(old), "new": _version(new), "tables": tables}


def render_markdown(diff: dict) -> str:
    lines = [f"From release {diff['old']} to {diff['new']} (rows matched by primary key):", "",
             "| table | rows before | rows now | added | removed | changed |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, t in diff["tables"].items():
        lines.append(f"| {name} | {t['old_rows']} | {t['new_rows']} | {t['added']} | {t['removed']} | {t['changed']} |")
    return "\n".join(lines)
