"""URIs taken apart the way schemacat reads them: ``locate`` finds the user info as
``catalog.secrets`` does (a password with an unencoded ``/``, ``#``, ``?`` or ``@``
stays whole), and ``unsplit`` puts a URI together without losing an empty host."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult, quote, unquote

from catalog.errors import BadOption
from catalog.secrets import AUTHORITY, redact


@dataclass(frozen=True)
class Location:
    """A URI taken apart: ``locate`` reads what urllib misreads in a password."""

    scheme: str
    user: str | None  # percent-decoded
    password: str | None  # percent-decoded
    netloc: str  # host[:port][,host[:port]...], without the user info
    path: str
    query: str

    def hosts(self) -> list[tuple[str, int | None]]:
        """Each host of the authority with its port (a Kafka URI may name several)."""
        found: list[tuple[str, int | None]] = []
        for part in filter(None, self.netloc.split(",")):
            host, colon, port = part.rpartition(":") if "]" not in part[-1:] else ("", "", "")
            if not colon or "]" in port:
                found.append((part.strip("[]"), None))
                continue
            if not port.isdigit() or not 0 < int(port) < 65536:
                raise BadOption(
                    f"the port {port!r} of {redact(self.uri)} is not a port number",
                    hint="write host:port with a port from 1 to 65535",
                )
            found.append((host.strip("[]"), int(port)))
        return found

    @property
    def uri(self) -> str:
        """The URI without its user info."""
        query = f"?{self.query}" if self.query else ""
        return f"{self.scheme}://{self.netloc}{self.path}{query}"

    def base(self, *, userinfo: bool = True) -> str:
        """``scheme://[user[:password]@]netloc/path``: no query, the user info encoded."""
        who = ""
        if userinfo and (self.user or self.password is not None):
            who = quote(self.user or "", safe="")
            who += f":{quote(self.password, safe='')}" if self.password is not None else ""
            who += "@"
        return f"{self.scheme}://{who}{self.netloc}{self.path}"


def locate(uri: str) -> Location:
    """``scheme://[user[:password]@]host[:port][,...][/path][?query]`` taken apart; the user
    info runs to the last ``@`` a host follows (see the module's docstring)."""
    scheme, _, rest = uri.partition("://")
    user = password = None
    authority = AUTHORITY.fullmatch(rest)
    if authority is not None:
        name, colon, secret = authority["userinfo"].partition(":")
        user, password = unquote(name) or None, unquote(secret) if colon else None
        rest = authority["host"] + authority["rest"]
    rest = rest.partition("#")[0]
    head, _, query = rest.partition("?")
    netloc, slash, path = head.partition("/")
    return Location(scheme.lower(), user, password, netloc, slash + path, query)


def unsplit(parts: SplitResult) -> str:
    """``urlunsplit`` that keeps ``//`` when the host is empty: urllib drops it for
    schemes it does not know, and ``postgresql:///db`` (a Unix socket, or the host
    in PGHOST) would become ``postgresql:/db``, which means something else."""
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{parts.scheme}://{parts.netloc}{parts.path}{query}{fragment}"
