"""The Frictionless Data Package descriptor of a release (``datapackage.json``).

A resource is a table's CSV parts (a multipart resource: ``path`` lists them; frictionless
reads them as one table and skips the header that every part repeats), with the full table
schema and keys, so that ``frictionless validate datapackage.json`` checks types, keys and
foreign keys of the data. Each part's sha256 and bytes are under ``dgn:parts`` (frictionless
would count and hash the parts joined, less the repeated headers), and the Parquet twins (same rows, exact values) under
``dgn:parquet``.
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


def descriptor(version: str, created: str, hashes: dict[str, tuple[str, int]], parts: dict[str, list[dict]]) -> dict:
    """``hashes``: release-relative path -> (sha256, bytes) of the data files; ``parts``: the
    parts of each table (``pipeline.publish.parts``), in order."""
    resources = []
    for name in RELEASED:
        spec = TABLES[name]
        ps = parts[name]
        resources.append({
            "name": name, "path": [p["csv"]["path"] for p in ps], "description": spec.description,
            "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8-sig",
            "schema": table_schema(spec),
            "dgn:parts": [{"path": p["csv"]["path"], "sha256": p["csv"]["sha256"], "bytes": p["csv"]["bytes"],
                           "rows": p["rows"]} for p in ps],
            "dgn:parquet": [{"path": p["parquet"]["path"], "sha256": p["parquet"]["sha256"],
                             "bytes": p["parquet"]["bytes"], "rows": p["rows"]} for p in ps],
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
