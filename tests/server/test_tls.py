"""``schemacat serve --tls-cert/--tls-key [--tls-client-ca]`` end to end, with
certificates made by trustme: HTTPS trusted through the CA (httpx and confluent-kafka's
client), plain HTTP refused, client certificates required and checked against the CA,
and bad TLS options stopping the start with one line.  SQLite catalogs: TLS is the
HTTP layer's, the same whatever the catalog."""

from __future__ import annotations

import json
import ssl
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import trustme
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from cryptography.hazmat.primitives import serialization

from tests.cli.process import schemacat
from tests.server.registry import serving

SCHEMA = json.dumps({"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]})


@dataclass
class Files:
    """PEM files: the CA, the server's certificate and key, a client's certificate and
    key issued by the CA, and a client's issued by another CA."""

    folder: Path
    authority: trustme.CA
    client: trustme.LeafCert
    stranger: trustme.LeafCert

    def __getattr__(self, name: str) -> str:
        return str(self.folder / f"{name}.pem")

    def context(self, cert: trustme.LeafCert | None = None) -> ssl.SSLContext:
        """A client's context trusting the CA, presenting ``cert`` when given."""
        context = ssl.create_default_context()
        self.authority.configure_trust(context)
        if cert is not None:
            cert.configure_cert(context)
        return context


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    folder = tmp_path_factory.mktemp("tls")
    ca, other_ca = trustme.CA(), trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    client = ca.issue_cert("client@schemacat.test")
    stranger = other_ca.issue_cert("stranger@schemacat.test")
    ca.cert_pem.write_to_path(folder / "ca_file.pem")
    server.private_key_pem.write_to_path(folder / "server_key.pem")
    for i, pem in enumerate(server.cert_chain_pems):
        pem.write_to_path(folder / "server_cert.pem", append=i > 0)
    client.private_key_pem.write_to_path(folder / "client_key.pem")
    client.cert_chain_pems[0].write_to_path(folder / "client_cert.pem")
    return Files(folder, ca, client, stranger)


@pytest.fixture(scope="module")
def https(files: Files, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("https")
    tls = ("--tls-cert", files.server_cert, "--tls-key", files.server_key)
    catalog = f"sqlite:///{folder / 'catalog.db'}"
    with serving(catalog, *tls, log=folder / "serve.log", tls=files.context()) as url:
        yield url


def test_https_is_trusted_through_the_ca(https: str, files: Files) -> None:
    assert https.startswith("https://")
    subject = f"tls-{uuid.uuid4().hex[:8]}-value"
    with httpx.Client(base_url=https, verify=files.context(), timeout=30) as client:
        registered = client.post(f"/subjects/{subject}/versions", json={"schema": SCHEMA})
        assert registered.is_success, registered.text
        assert client.get(f"/subjects/{subject}/versions").json() == [1]
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(f"{https}/health", timeout=5)  # without the CA: not trusted


def test_plain_http_to_the_tls_port_fails(https: str) -> None:
    with pytest.raises(httpx.TransportError):
        httpx.get(https.replace("https://", "http://") + "/health", timeout=5)


def test_confluent_kafka_with_the_ca(https: str, files: Files) -> None:
    subject = f"tls-{uuid.uuid4().hex[:8]}-value"
    with SchemaRegistryClient({"url": https, "ssl.ca.location": files.ca_file}) as client:
        schema_id = client.register_schema(subject, Schema(SCHEMA, "AVRO"))
        assert json.loads(client.get_schema(schema_id).schema_str) == json.loads(SCHEMA)
        assert client.get_latest_version(subject).version == 1


def test_client_certificates_are_required_and_checked(files: Files, tmp_path: Path) -> None:
    tls = ("--tls-cert", files.server_cert, "--tls-key", files.server_key,
           "--tls-client-ca", files.ca_file)  # fmt: skip
    catalog = f"sqlite:///{tmp_path / 'catalog.db'}"
    context = files.context(files.client)
    with serving(catalog, *tls, log=tmp_path / "serve.log", tls=context) as url:
        for refused in (files.context(), files.context(files.stranger)):
            with pytest.raises(httpx.TransportError):
                httpx.get(f"{url}/subjects", verify=refused, timeout=5)
        assert httpx.get(f"{url}/subjects", verify=context, timeout=5).json() == []

        with SchemaRegistryClient(
            {
                "url": url,
                "ssl.ca.location": files.ca_file,
                "ssl.certificate.location": files.client_cert,
                "ssl.key.location": files.client_key,
            }
        ) as client:  # closed: an open connection would hold the server's shutdown
            schema_id = client.register_schema("mtls-value", Schema(SCHEMA, "AVRO"))
            assert client.get_latest_version("mtls-value").schema_id == schema_id


def test_bad_tls_options_stop_the_start_with_one_line(files: Files, tmp_path: Path) -> None:
    other = trustme.CA().issue_cert("127.0.0.1")
    other.private_key_pem.write_to_path(tmp_path / "other_key.pem")
    catalog = f"sqlite:///{tmp_path / 'catalog.db'}"
    for args, why in (
        (("--tls-cert", files.server_cert), "--tls-cert needs --tls-key"),
        (("--tls-key", files.server_key), "need --tls-cert"),
        (("--tls-cert", str(tmp_path / "nope.pem"), "--tls-key", files.server_key),
         "nope.pem: no such file"),
        (("--tls-cert", files.server_cert, "--tls-key", str(tmp_path / "other_key.pem")),
         "the key is not the certificate's private key"),
        (("--tls-cert", files.server_key, "--tls-key", files.server_key),
         "no PEM certificate and private key"),
        (("--tls-cert", files.server_cert, "--tls-key", files.server_key,
          "--tls-client-ca", files.server_key), "--tls-client-ca"),
    ):  # fmt: skip
        done = schemacat("--catalog", catalog, "serve", "--port", "9", *args)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("error: ") and why in done.stderr
        assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


def test_a_directory_or_an_encrypted_key_is_refused_without_a_prompt(
    files: Files, tmp_path: Path
) -> None:
    key = serialization.load_pem_private_key(Path(files.server_key).read_bytes(), None)
    encrypted = tmp_path / "encrypted_key.pem"
    encrypted.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"pass phrase"),
        )
    )
    catalog = f"sqlite:///{tmp_path / 'catalog.db'}"
    for args, why in (
        (("--tls-cert", str(tmp_path), "--tls-key", files.server_key),
         f"--tls-cert {tmp_path}: is a directory"),
        (("--tls-cert", files.server_cert, "--tls-key", str(tmp_path)),
         f"--tls-key {tmp_path}: is a directory"),
        (("--tls-cert", files.server_cert, "--tls-key", str(encrypted)),
         "the key is encrypted; give an unencrypted key"),
    ):  # fmt: skip
        done = schemacat("--catalog", catalog, "serve", "--port", "9", *args)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("error: ") and why in done.stderr, done.stderr
        assert len(done.stderr.splitlines()) == 1 and "pass phrase" not in done.stderr


def test_a_catalog_that_cannot_be_opened_stops_the_start_with_one_line(tmp_path: Path) -> None:
    """Not a SQLite file, or a PostgreSQL server not there: the reason, naming the catalog,
    and a non-zero exit; no traceback."""
    text = tmp_path / "notes.txt"
    text.write_text("not a catalog\n")
    for catalog, names in (
        (f"sqlite:///{text}", str(text)),
        ("postgresql://someone:pw-7@127.0.0.1:1/registry", "postgresql://someone@127.0.0.1:1"),
    ):
        done = schemacat("--catalog", catalog, "serve", "--port", "9")
        assert done.returncode != 0
        said = [line for line in done.stderr.splitlines() if "cannot open its catalog" in line]
        assert len(said) == 1 and names in said[0], done.stderr
        assert "Traceback" not in done.stderr and "pw-7" not in done.stderr
