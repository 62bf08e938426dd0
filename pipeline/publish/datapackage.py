"""The Frictionless Data Package descriptor of a release (``datapackage.json``).

Resources are the CSV files, with full table schemas, keys, sha256 and bytes, so that
``frictionless validate datapackage.json`` checks types, keys and foreign keys of the data.
Each resource names its Parquet twin (same rows, exact values) under ``dgn:parquet`` with
its own sha256 and bytes: frictionless cannot hash a Parquet file it reads as a table.
"""
from __future__ import annotations

import pyarrow as pa

from pipeline.publish.csv_export import neutralise
from pipeline.tables import RELEASED, SCHEMA_VERSION, TABLES, Table

LICENSE = {"name": "other-at", "title": "Texts remain the property of their publishers; "
           "see README.md 'License'", "path": "README.md"}


def _field_type(t: pa.DataType) -> dict:
    if pa.types.is_timestamp(t):
        return {"type": "datetime"}
    if pa.types.is_date(t):
        return {"type": "date"}
    if pa.types.is_list(t):
        return {"type": "array"}
    if pa.types.is_integer(t):
        return {"type": "integer"}
    if pa.types.is_floating(t):
        return {"type": "number"}
    return {"type": "string"}


def table_schema(spec: Table) -> dict:
    fields = []
    for c in spec.columns:
        f = {"name": c.name, **_field_type(c.type), "description": c.description}
        cons = {}
        if c.required:
            cons["required"] = True
        if c.enum:
            cons["enum"] = sorted({neutralise(v) for v in c.enum})
        if cons:
            f["constraints"] = cons
        fields.append(f)
    schema = {"fields": fields, "missingValues": [""]}
    if spec.name != "rejected":
        schema["primaryKey"] = list(spec.primary_key)
    if spec.foreign_keys:
        schema["foreignKeys"] = [{"fields": list(fk.columns),
                                  "reference": {"resource": fk.table, "fields": list(fk.reference)}}
                                 for fk in spec.foreign_keys]
    return schema


def descriptor(version: str, created: str, hashes: dict[str, tuple[str, int]]) -> dict:
    """``hashes``: release-relative path -> (sha256, bytes) of the data files."""
    resources = []
    for name in RELEASED:
        spec = TABLES[name]
        csv_path, pq_path = f"csv/{name}.csv", f"data/{name}.parquet"
        sha, size = hashes[csv_path]
        pq_sha, pq_size = hashes[pq_path]
        resources.append({
            "name": name, "path": csv_path, "description": spec.description,
            "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8-sig", "hash": f"sha256:{sha}", "bytes": size,
            "schema": table_schema(spec),
            "dgn:parquet": {"path": pq_path, "sha256": pq_sha, "bytes": pq_size},
        })
    rj_sha, rj_size = hashes["rejected.parquet"]
    return {
        "profile": "data-package",
        "name": "dgn-digital-government-news",
        "title": "DGN: Chinese digital-government news (数字政府) dataset",
        "version": version,
        "created": created,
        "dgn:schema_version": SCHEMA_VERSION,
        "licenses": [LICENSE],
        "keywords": ["数字政府", "digital government", "China", "news"],
        "resources": resources,
        "dgn:rejected": {"path": "rejected.parquet", "sha256": rj_sha, "bytes": rj_size,
                         "schema": table_schema(TABLES["rejected"])},
    }
