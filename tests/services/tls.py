"""A TLS listener in front of a plain TCP port, for the Kafka TLS tests.

Tansu has no working TLS listener, so the tests put a TLS relay
(``tests.services.proxy``) in front of a broker that advertises the relay's
address: every connection a client makes, bootstrap and fetch alike, then goes
through a real TLS handshake (with client certificates required, when the
context says so) and on to the broker.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass(frozen=True)
class Certificates:
    """PEM files: the CA, the broker's certificate for 127.0.0.1, and a client's."""

    ca: Path
    client_cert: Path
    client_key: Path
    server: ssl.SSLContext


def make_certificates(folder: Path) -> Certificates:
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server)
    ca.configure_trust(server)
    server.verify_mode = ssl.CERT_REQUIRED  # mutual TLS: the client must show a certificate
    client = ca.issue_cert("schemacat-tests@example.com")
    files = Certificates(folder / "ca.pem", folder / "client.pem", folder / "client.key", server)
    ca.cert_pem.write_to_path(str(files.ca))
    client.cert_chain_pems[0].write_to_path(str(files.client_cert))
    client.private_key_pem.write_to_path(str(files.client_key))
    return files
