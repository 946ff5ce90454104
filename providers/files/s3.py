"""S3 objects (AWS, MinIO, moto, R2 ...): ``s3://bucket/key``, ``s3://bucket/prefix/``, globs.

Credentials come from boto3's usual chain, or none with ``anonymous=true`` (a
public bucket, such as the open data on AWS); the endpoint from
``?endpoint_url=`` or ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_S3``.  A prefix
holding a Delta or Iceberg table is read through its metadata
(``providers.files.tables``).  Objects are read by ranged GETs: a Parquet footer
costs a few KB of a file of any size, and a JSON or CSV sample only the leading
bytes it needs.  The footers of a prefix of Parquet objects are fetched
``CONCURRENT_GETS`` at a time, ahead of the reader that parses them in key order, within
the discovery's one deadline.
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, BinaryIO, TypeVar

import pyarrow as pa

from catalog.discovery import COMMON_OPTIONS, CompletionScope, Discovery, Options, Provider
from catalog.errors import BadOption, DiscoveryError, SourceNotFound
from catalog.secrets import redact
from catalog.uri import locate
from providers.files.blobs import compression
from providers.files.blobset import BLOB_OPTIONS, discover_blobs, files_basis, sample_blobs
from providers.files.formats import extension_format
from providers.files.groups import choose
from providers.files.iceberg import METADATA_FILE
from providers.files.s3_calls import (
    Transfer,
    before_send,
    error_code,
    start_thread,
    within_deadline,
)
from providers.files.tables import chosen, table_discovery, table_metadata

T = TypeVar("T")
_GLOB_CHARS = "*?["
CONCURRENT_GETS = 16  # footers fetched at once (and botocore's connections kept)
FOOTER_READ = 64 << 10  # what pyarrow reads first of a Parquet file: its last 64 KB


class _Tail:
    """An object's last bytes, fetched ahead by a worker, or by the reader if no worker
    has started on them; whoever claims them first fetches them."""

    def __init__(self, start: int) -> None:
        self.start = start
        self.data: bytes | None = None  # None: not fetched (failed), the reader asks itself
        self.done = threading.Event()
        self._claimed = False
        self._lock = threading.Lock()

    def claim(self) -> bool:
        with self._lock:
            claimed, self._claimed = self._claimed, True
            return not claimed


class S3Blob:
    """One object, read within its discovery's deadline."""

    def __init__(self, client: Any, bucket: str, key: str, size: int, transfer: Transfer) -> None:
        self.client, self.bucket, self.key, self.size = client, bucket, key, size
        self.name = f"s3://{bucket}/{key}"
        self._transfer = transfer
        self._tail: _Tail | None = None  # see fetch_footers_ahead

    def read_range(self, start: int, length: int) -> bytes:
        if length <= 0:
            return b""
        tail, end = self._tail, min(start + length, self.size)
        if tail is not None and start >= tail.start:
            self._tail = None  # served once: pyarrow reads a footer's tail once
            if not tail.claim():  # a worker has it, or is fetching it
                tail.done.wait()
                if tail.data is not None:
                    return tail.data[start - tail.start : end - tail.start]
        return self.get(start, end)

    def get(self, start: int, end: int) -> bytes:
        """The bytes from ``start`` up to ``end``, by a ranged GET."""
        with self._transfer.request(f"reading {self.name}"):
            response = self.client.get_object(
                Bucket=self.bucket, Key=self.key, Range=f"bytes={start}-{end - 1}"
            )
            data: bytes = response["Body"].read()
        self._transfer.read(len(data))
        return data

    def stream(self) -> BinaryIO:
        with self._transfer.request(f"reading {self.name}"):
            body = self.client.get_object(Bucket=self.bucket, Key=self.key)["Body"]
        return _Counted(body, self._transfer, self.name)  # type: ignore[return-value]


class _Counted:
    """A streaming body that counts what it reads, read within the deadline."""

    def __init__(self, body: Any, transfer: Transfer, name: str) -> None:
        self._body, self._transfer, self._name = body, transfer, name

    def read(self, size: int = -1) -> bytes:
        with self._transfer.request(f"reading {self._name}"):
            data: bytes = self._body.read(size if size >= 0 else None)
        self._transfer.read(len(data))
        return data

    def close(self) -> None:
        self._body.close()

    def __enter__(self) -> _Counted:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class S3Provider(Provider):
    schemes = ("s3",)
    options = (*COMMON_OPTIONS, *BLOB_OPTIONS, "endpoint_url", "region", "anonymous")

    def __init__(self) -> None:
        self._clients: dict[tuple[str | None, str | None, float, bool], Any] = {}
        self._lock = threading.Lock()

    async def discover(self, uri: str, options: Options) -> Discovery:
        def run(transfer: Transfer) -> Discovery:
            blobs, root, table = self.objects(uri, options, transfer)
            chosen_table = chosen(table, options.format, uri)
            if chosen_table:
                found = table_discovery(chosen_table[0], chosen_table[1], uri)
            else:
                fetch_footers_ahead(blobs, root, uri, options, transfer)
                found = discover_blobs(blobs, root, uri, options)
            return found.with_details(bytes_read=transfer.bytes_read)

        return await self._within_deadline(run, uri, options)

    async def sample(self, uri: str, options: Options) -> pa.Table:
        def run(transfer: Transfer) -> pa.Table:
            blobs, root, _ = self.objects(uri, options, transfer)
            fetch_footers_ahead(blobs, root, uri, options, transfer)
            return sample_blobs(blobs, root, uri, options)

        return await self._within_deadline(run, uri, options)

    def basis(self, facts: Mapping[str, Any]) -> list[str]:
        return files_basis(facts)

    async def check(self, uri: str, options: Options) -> None:
        bucket, _ = _bucket_key(uri)

        def run(transfer: Transfer) -> None:
            with transfer.request(f"looking up bucket {bucket}"):
                self.client(options).head_bucket(Bucket=bucket)

        await self._within_deadline(run, uri, options)

    async def children(self, uri: str, options: Options) -> list[str] | None:
        """The subfolders (ending in /) and objects directly inside the folder of ``uri``."""
        bucket, key = _bucket_key(uri)
        folder = _parent(key)

        def run(transfer: Transfer) -> list[str]:
            with transfer.request(f"listing s3://{bucket}/{folder}"):
                page = self.client(options).list_objects_v2(
                    Bucket=bucket, Prefix=folder, Delimiter="/", MaxKeys=1000
                )
            subfolders = [p["Prefix"] for p in page.get("CommonPrefixes", ())]
            keys = [o["Key"] for o in page.get("Contents", ()) if o["Key"] != folder]
            return [name[len(folder) :] for name in sorted(subfolders + keys)]

        return await self._within_deadline(run, uri, options)

    async def _within_deadline(
        self, work: Callable[[Transfer], T], uri: str, options: Options
    ) -> T:
        """``work`` given a Transfer under the timeout, which it may not outlast."""
        transfer = Transfer(options.deadline(), options.text("endpoint_url") or "AWS", uri)

        def start() -> T:
            transfer.endpoint = self.client(options).meta.endpoint_url
            return work(transfer)

        return await within_deadline(transfer, start)

    def completion_scope(self, prefix: str) -> CompletionScope | None:
        stem, slash, _ = prefix.rpartition("/")
        if "/" not in prefix.partition("://")[2]:
            return None
        return CompletionScope(stem + slash, stem + slash, "object")

    def client(self, options: Options) -> Any:
        anonymous = options.flag("anonymous", False)
        # boto3 reads the endpoint variables itself; in the key, a change of them
        # gets a new client rather than one that goes to the old endpoint
        env = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        endpoint = options.text("endpoint_url") or env
        if endpoint and (locate(endpoint).user or locate(endpoint).password):
            raise BadOption(
                f"the endpoint_url {redact(endpoint)} holds credentials; S3 signs its requests "
                "with keys, not with a user in the URL",
                hint="leave them out of the URL, and give them as boto3 reads them: "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile (AWS_PROFILE)",
            )
        key = (endpoint, options.text("region"), options.timeout, anonymous)
        with self._lock:
            if key not in self._clients:
                import boto3
                from botocore import UNSIGNED
                from botocore.config import Config

                config = Config(
                    connect_timeout=options.timeout,
                    read_timeout=options.timeout,
                    retries={"max_attempts": 2, "mode": "standard"},
                    max_pool_connections=CONCURRENT_GETS,
                    signature_version=UNSIGNED if anonymous else None,
                )
                client = boto3.client("s3", endpoint_url=key[0], region_name=key[1], config=config)
                client.meta.events.register("before-send.s3", before_send)
                self._clients[key] = client
            return self._clients[key]

    def objects(
        self, uri: str, options: Options, transfer: Transfer
    ) -> tuple[list[S3Blob], str, tuple[str, list[S3Blob]] | None]:
        """The objects ``uri`` names, in key order, the prefix they are relative to, and,
        for a Delta or Iceberg table, its format and metadata objects."""
        bucket, key = _bucket_key(uri)
        if not bucket:
            raise SourceNotFound(f"{uri} names no bucket", hint="write s3://bucket/key")
        from botocore.exceptions import ClientError

        client = self.client(options)
        if any(c in key for c in _GLOB_CHARS):
            prefix = key[: min(key.index(c) for c in _GLOB_CHARS if c in key)]
            root = prefix[: prefix.rfind("/") + 1]
            listed = [(k, s) for k, s in _list(client, bucket, root, transfer) if _matches(k, key)]
        elif key and not key.endswith("/"):
            try:
                with transfer.request(f"looking up s3://{bucket}/{key}"):
                    size = int(client.head_object(Bucket=bucket, Key=key)["ContentLength"])
                blob = S3Blob(client, bucket, key, size, transfer)
                named = ("iceberg", [blob]) if key.endswith(METADATA_FILE) else None
                return [blob], f"s3://{bucket}/{_parent(key)}", named
            except ClientError as exc:
                if error_code(exc) not in ("404", "NoSuchKey", "NotFound"):
                    raise
            root = key + "/"
            listed = list(_list(client, bucket, root, transfer))
            if not listed:
                raise _no_such_key(client, bucket, key, transfer)
        else:
            root = key
            listed = list(_list(client, bucket, root, transfer))
        data = [(k, s) for k, s in listed if not _hidden(k[len(root) :])]
        sizes = dict(listed)
        table = table_metadata(sizes, root)
        return (
            [S3Blob(client, bucket, k, s, transfer) for k, s in sorted(data)],
            f"s3://{bucket}/{root}",
            (table[0], [S3Blob(client, bucket, k, sizes[k], transfer) for k in table[1]])
            if table
            else None,
        )


def fetch_footers_ahead(
    blobs: list[S3Blob], root: str, uri: str, options: Options, transfer: Transfer
) -> None:
    """Start fetching the footers of the Parquet objects a discovery of ``blobs`` reads,
    ``CONCURRENT_GETS`` at a time in key order, while it parses them one by one.

    The same ranged GETs it would send (the last ``FOOTER_READ`` bytes of each), under the
    same deadline: a GET that fails is left to the reader, who sends it again in its turn
    and meets the error there, so what is found, and what fails, is as without this."""
    try:
        read = choose(blobs, options.format, root, uri).read
        read = read[: options.integer("max_files", 100)]
    except DiscoveryError:  # the discovery says why, in its turn
        return

    def parquet(blob: Any) -> bool:  # read as Parquet by its footer, not told by its content
        if compression(blob.name):
            return False
        return options.format == "parquet" or (
            options.format == "auto" and extension_format(blob.name) == "parquet"
        )

    if len(read) < 2 or not all(map(parquet, read)):
        return
    tails = []
    for blob in read:
        if isinstance(blob, S3Blob):
            blob._tail = _Tail(max(0, blob.size - FOOTER_READ))
            tails.append((blob, blob._tail))
    queue, lock, stop = iter(tails), threading.Lock(), threading.Event()

    def work() -> None:
        while not stop.is_set() and not transfer.abandoned:
            with lock:
                blob, tail = next(queue, (None, None))
            if blob is None or tail is None:
                return
            if not tail.claim():  # the reader came first
                continue
            try:
                tail.data = blob.get(tail.start, blob.size)
            except Exception:  # the reader meets it in its turn; no more GETs ahead
                stop.set()
            finally:
                tail.done.set()

    for _ in range(min(CONCURRENT_GETS, len(tails))):
        start_thread(transfer, work)


def _list(client: Any, bucket: str, prefix: str, transfer: Transfer) -> Iterator[tuple[str, int]]:
    pages = iter(client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix))
    listing = f"listing s3://{bucket}/{prefix}"
    while True:
        with transfer.request(listing):
            page = next(pages, None)
        if page is None:
            return
        if "IsTruncated" not in page:  # every listing says whether more follows
            raise transfer.cut_short(listing)
        for item in page.get("Contents", ()):
            if not item["Key"].endswith("/"):
                yield item["Key"], int(item["Size"])


def _matches(key: str, pattern: str) -> bool:
    """fnmatch's match, where ``**/`` also matches no folder (``p/**/*.csv``, ``p/a.csv``),
    as in a local glob."""
    return fnmatch.fnmatchcase(key, pattern) or (
        "**/" in pattern and fnmatch.fnmatchcase(key, pattern.replace("**/", ""))
    )


def _parent(key: str) -> str:
    return key[: key.rfind("/") + 1]


def _hidden(relative: str) -> bool:
    return any(part.startswith((".", "_")) for part in relative.split("/"))


def _no_such_key(client: Any, bucket: str, key: str, transfer: Transfer) -> SourceNotFound:
    siblings = [k for k, _ in _list(client, bucket, _parent(key), transfer)][:1000]
    close = difflib.get_close_matches(key, siblings, n=1)
    hint = f"did you mean s3://{bucket}/{close[0]}?" if close else "check the key or prefix"
    return SourceNotFound(f"no object or prefix s3://{bucket}/{key}", hint=hint)


def _bucket_key(uri: str) -> tuple[str, str]:
    """The bucket and the key (or prefix, or glob) of an ``s3://`` URI."""
    place = locate(uri)
    if place.user or place.password:
        raise BadOption(
            f"{redact(uri)} holds credentials, and s3:// URIs take none",
            hint="give them as boto3 reads them: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
            "a profile (AWS_PROFILE), or an instance role",
        )
    return place.netloc, place.path.lstrip("/")
