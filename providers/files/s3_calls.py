"""An S3 discovery's calls under one deadline, and botocore's errors in words.

``timeout`` bounds the whole discovery (connecting, listing, every GET, botocore's
retries), not each request: botocore applies its connect and read timeouts to each
attempt, and retries, so a timeout of 3 s could take 10.  So the discovery runs in a
thread of its own while the caller waits until the deadline and no longer; a request
that would start after the deadline (a retry, the next GET) is not sent, and a thread
given up on ends at its next request; so do the threads that fetch Parquet footers ahead
(``providers.files.s3``), several requests under way at once, of which a message names
the one sent first.  Messages say how long it really took, and why:
connection refused, a host name that does not resolve, no answer, an HTTP status.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit

from catalog.discovery import Deadline, reason
from catalog.errors import AccessDenied, DiscoveryError, SourceNotFound, SourceUnreachable

T = TypeVar("T")
_local = threading.local()  # the Transfer of the discovery a thread runs, for botocore's hook


class DeadlinePassed(Exception):
    """A request was about to start after the deadline, or after the caller gave up."""


class Transfer:
    """One discovery against one endpoint: its deadline, the bytes it read, the request
    under way (for the message at the deadline)."""

    def __init__(self, deadline: Deadline, endpoint: str, uri: str) -> None:
        self.deadline, self.endpoint, self.uri = deadline, endpoint, uri
        self.bytes_read = 0
        self.abandoned = False
        self._under_way: list[str] = []  # several at once when footers are fetched ahead
        self._lock = threading.Lock()

    @property
    def waiting(self) -> str | None:
        """The request under way (the one sent first, of several), if any."""
        with self._lock:
            return self._under_way[0] if self._under_way else None

    @contextlib.contextmanager
    def request(self, what: str) -> Iterator[None]:
        """Mark the S3 request ``what`` (``listing s3://b/p/``) as under way."""
        self.check()
        with self._lock:
            self._under_way.append(what)
        try:
            yield
        finally:
            with self._lock:
                self._under_way.remove(what)

    def read(self, size: int) -> None:
        """Count ``size`` bytes read (from any of the discovery's threads)."""
        with self._lock:
            self.bytes_read += size

    def check(self) -> None:
        if self.abandoned or self.deadline.left <= 0:
            raise DeadlinePassed

    def no_answer(self) -> SourceUnreachable:
        timeout = f"raise timeout (now {self.deadline.seconds:g})"
        waiting = self.waiting
        if waiting is None:  # between requests: reading what came took the time
            return SourceUnreachable(
                f"the discovery of {self.uri} from S3 at {self.endpoint} did not finish "
                f"within the timeout ({self.deadline.took()})",
                hint=f"{timeout}, or read less of it (max_files, sample_size)",
            )
        return SourceUnreachable(
            f"S3 at {self.endpoint} sent no answer within the timeout "
            f"({self.deadline.took()}) while {waiting}",
            hint="the endpoint is slow or does not answer: check endpoint_url (or "
            f"AWS_ENDPOINT_URL) and the network, or {timeout}",
        )

    def cut_short(self, what: str) -> SourceUnreachable:
        """An answer that ended early: botocore parses an empty body as an empty listing."""
        return SourceUnreachable(
            f"S3 at {self.endpoint} sent an answer cut short while {what} ({self.deadline.took()})",
            hint="the connection broke: check that the server is up and the network, "
            "then run it again",
        )


def before_send(**_: Any) -> None:
    """botocore's ``before-send`` hook, for every attempt (retries too): none starts after
    the deadline of the discovery the thread runs."""
    transfer: Transfer | None = getattr(_local, "transfer", None)
    if transfer is not None:
        transfer.check()


def start_thread(transfer: Transfer, work: Callable[[], None]) -> None:
    """``work()`` in a daemon thread of ``transfer``'s discovery (so botocore's hook keeps
    its deadline); like the discovery's own thread, one given up on holds nothing open."""

    def run() -> None:
        _local.transfer = transfer
        work()

    threading.Thread(target=run, name="schemacat-s3-get", daemon=True).start()


async def within_deadline(transfer: Transfer, work: Callable[[], T]) -> T:
    """``work()`` in a thread of its own, its errors translated; given up at the deadline."""
    loop = asyncio.get_running_loop()
    outcome: asyncio.Future[T] = loop.create_future()
    context = contextvars.copy_context()  # the progress listener follows the work

    def settle(result: T | None, error: BaseException | None) -> None:
        if outcome.done():  # given up on
            return
        if error is None:
            outcome.set_result(result)  # type: ignore[arg-type]
        else:
            outcome.set_exception(error)

    def run() -> None:
        _local.transfer = transfer
        result, error = None, None
        try:
            result = context.run(translated, work, transfer)
        except BaseException as exc:
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits
            loop.call_soon_threadsafe(settle, result, error)

    # a daemon thread: one given up on must not hold the process (nor asyncio.run) open
    threading.Thread(target=run, name="schemacat-s3", daemon=True).start()
    try:
        done, _ = await asyncio.wait({outcome}, timeout=transfer.deadline.left)
        if not done:
            raise transfer.no_answer()
        return outcome.result()
    finally:
        transfer.abandoned = True
        outcome.cancel()  # what the thread still brings is dropped, not left unread


def translated(work: Callable[[], T], transfer: Transfer) -> T:
    """``work()``, with botocore's errors turned into ours."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        ConnectionError,
        ConnectTimeoutError,
        HTTPClientError,
        NoCredentialsError,
        ReadTimeoutError,
    )

    uri, endpoint, took = transfer.uri, transfer.endpoint, transfer.deadline.took
    try:
        return work()
    except (DeadlinePassed, ConnectTimeoutError, ReadTimeoutError):
        raise transfer.no_answer() from None
    except ConnectionError as exc:
        raise SourceUnreachable(
            f"cannot reach S3 at {endpoint} for {uri}: {_why(exc, endpoint)} ({took()})",
            hint="check endpoint_url (or AWS_ENDPOINT_URL), that the server is up, and the network",
        ) from None
    except NoCredentialsError:
        raise AccessDenied(
            f"no AWS credentials for {uri}",
            hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile (AWS_PROFILE); "
            "for a public bucket, anonymous = true",
        ) from None
    except HTTPClientError as exc:  # the connection broke, in a request or its answer
        raise SourceUnreachable(
            f"the connection to S3 at {endpoint} failed for {uri}: {_why(exc, endpoint)} "
            f"({took()})",
            hint="check that the server is up and the network, then run it again",
        ) from None
    except ClientError as exc:
        raise _refused(exc, transfer) from None
    except BotoCoreError as exc:  # anything else botocore finds wrong
        raise DiscoveryError(f"S3 at {endpoint} failed for {uri}: {exc} ({took()})") from None


def _why(exc: Exception, endpoint: str) -> str:
    """The reason beneath a botocore connection error, in words."""
    cause: BaseException | None = getattr(exc, "kwargs", {}).get("error") or exc
    while cause is not None and not isinstance(cause, OSError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, socket.gaierror):
        host = urlsplit(endpoint).hostname or endpoint
        return f"the host name {host} does not resolve ({cause.strerror})"
    said = cause.strerror if isinstance(cause, OSError) and cause.strerror else None
    said = said or reason(cause or exc)
    return said[:1].lower() + said[1:]


def error_code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def _refused(exc: Exception, transfer: Transfer) -> DiscoveryError:
    """An S3 error answer as ours: a missing bucket, access denied, or its HTTP status."""
    uri, kind = transfer.uri, error_code(exc)
    bucket = urlsplit(uri).netloc
    if kind == "NoSuchBucket" or (kind in ("404", "NotFound") and "HeadBucket" in str(exc)):
        return SourceNotFound(f"bucket {bucket} does not exist ({uri})")
    if kind in ("AccessDenied", "403", "Forbidden", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
        return AccessDenied(
            f"access to {uri} is denied ({kind})",
            hint="check the credentials and the bucket policy (s3:GetObject, s3:ListBucket)",
        )
    response = getattr(exc, "response", {})
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
    said = response.get("Error", {}).get("Message") or kind
    return DiscoveryError(
        f"S3 at {transfer.endpoint} answered HTTP {status} ({said}) for {uri} "
        f"({transfer.deadline.took()})",
        hint="a 5xx status is the server's trouble: try again later; "
        "a 4xx says what in the request it did not accept",
    )
