"""The Python door: discover a schema, keep versions in a catalog, run SQL, get Arrow.

Run from the repository root:  python sql_examples/python_api.py
"""

import asyncio
import tempfile
from pathlib import Path

import pyarrow as pa

import catalog

# Discovery is async (a Kafka topic or an S3 prefix takes a while); asyncio.run
# for a script, plain await in a notebook or service.
penguins = asyncio.run(
    catalog.discover_schema("sql_examples/data/penguins.csv", nullstr="NA", sample_size=500)
)
print(f"penguins.csv: {penguins.format}, {penguins.sampled} rows sampled")
for field in penguins:
    print(
        f"    {field.name:<18} {field.sql_type:<8} nulls {penguins.stats[field.name].null_fraction}"
    )

with (
    tempfile.TemporaryDirectory() as tmp,
    catalog.connect(str(Path(tmp) / "python_api.db")) as cat,
):
    # A discovery registers as it is found; REFRESH later looks again with these options.
    cat.create_stream(
        "penguins", penguins, datasource="sql_examples/data/penguins.csv", options={"nullstr": "NA"}
    )
    # Schemas as objects: every new version is checked against the mode first.
    banded = catalog.Schema(
        [*penguins.fields, catalog.Field("band_id", pa.string(), default=None, comment="ring")]
    )
    cat.register("penguins", banded)
    print("as Avro, the new field:", cat.get_schema("penguins").to_avro("Penguin")["fields"][-1])

    # ... or as SQL: one Result per statement, rows as tuples, or an Arrow table.
    versions, described = cat.sql("SHOW SCHEMA VERSIONS FOR penguins; DESCRIBE penguins")
    for version, *_, origin, change, _created, _schema_id in versions.rows:
        print(f"version {version}: {origin}, {change}")
    table = described.to_arrow()
    print(table.select(["column", "type", "nullable"]).slice(0, 3).to_pylist())
