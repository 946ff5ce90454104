"""``import catalog`` stays cheap: no heavy client is imported until a statement needs it."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("aiokafka", "asyncpg", "boto3", "botocore", "duckdb", "pyarrow.compute", "sqlglot")


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_catalog_loads_no_heavy_client() -> None:
    assert _loaded_after("import catalog") == set()


def test_using_the_kernel_and_embedded_catalog_loads_no_heavy_client() -> None:
    code = (
        "import catalog, pyarrow as pa, tempfile, os\n"
        "s = catalog.Schema([catalog.Field('id', pa.int64())]); s.fingerprint; s.to_avro()\n"
        "c = catalog.connect(os.path.join(tempfile.mkdtemp(), 'c.db'))\n"
        "c.create_stream('x', s); c.close()"
    )
    assert _loaded_after(code) == set()


def test_version_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "catalog", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().startswith("schemacat ")
