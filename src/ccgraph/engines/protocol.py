"""Talking to a remote engine over HTTP (standard library only): SPARQL 1.1 Protocol
queries, Graph Store Protocol requests, optional HTTP digest or basic auth.

Credentials come from the environment (``CCGRAPH_ENGINE_USER``, ``CCGRAPH_ENGINE_PASSWORD``,
see settings.py), never from the command line, where ``ps`` would show them."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

USER_AGENT = "ccgraph-publish"


class EngineError(Exception):
    """The engine refused a request or could not be reached; the message says which."""


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str


def _authorization(method: str, url: str, credentials: Credentials | None,
                   timeout: float) -> str | None:
    """The Authorization header for ``method url``, computed before the request is sent: a
    bodiless GET fetches the server's challenge (digest or basic), so that a large body is
    sent once, already authenticated (Virtuoso closes the connection on an unauthenticated
    body, which would break urllib's usual answer-the-challenge-and-resend)."""
    if credentials is None or not credentials.password:
        return None
    probe = urllib.request.Request(url, method="GET", headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(probe, timeout=timeout):
            return None
    except urllib.error.HTTPError as exc:
        challenge = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
    except (urllib.error.URLError, OSError) as exc:
        raise EngineError(f"GET {_short(url)}: cannot reach the engine "
                          f"({getattr(exc, 'reason', exc)}); is it running?") from None
    scheme, _, params = challenge.partition(" ")
    if scheme.lower() == "basic":
        token = f"{credentials.user}:{credentials.password}".encode()
        return "Basic " + base64.b64encode(token).decode("ascii")
    if scheme.lower() != "digest":
        return None
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, credentials.user, credentials.password)
    digest = urllib.request.HTTPDigestAuthHandler(passwords)
    fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(params))
    # try the credentials on the bodiless request first: a refused body breaks the pipe
    check = digest.get_authorization(probe, fields)
    probe.add_unredirected_header("Authorization", f"Digest {check}")
    try:
        with urllib.request.urlopen(probe, timeout=timeout):
            pass
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise EngineError(f"{method} {_short(url)}: HTTP {exc.code}: the engine refused "
                              f"the account {credentials.user!r} (check CCGRAPH_ENGINE_USER "
                              "and CCGRAPH_ENGINE_PASSWORD)") from None
    except (urllib.error.URLError, OSError):
        pass
    answer = digest.get_authorization(urllib.request.Request(url, method=method), fields)
    return f"Digest {answer}" if answer else None


def request(method: str, url: str, *, body: bytes | BinaryIO | None = None,
            headers: Mapping[str, str] | None = None, credentials: Credentials | None = None,
            timeout: float = 600.0, length: int | None = None) -> bytes:
    """One HTTP request; returns the body of a 2xx answer, raises EngineError otherwise."""
    sent = {"User-Agent": USER_AGENT, **(headers or {})}
    authorization = _authorization(method, url, credentials, timeout)
    if authorization:
        sent["Authorization"] = authorization
    if length is not None:
        sent["Content-Length"] = str(length)
    req = urllib.request.Request(url, data=body, method=method, headers=sent)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            data: bytes = answer.read()
            return data
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:400].decode("utf-8", "replace").strip()
        hint = (" (set CCGRAPH_ENGINE_USER and CCGRAPH_ENGINE_PASSWORD to an account that "
                "may write)" if exc.code in (401, 403) else "")
        raise EngineError(f"{method} {_short(url)}: HTTP {exc.code} {exc.reason}{hint}"
                          + (f": {detail}" if detail else "")) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EngineError(f"{method} {_short(url)}: cannot reach the engine ({reason}); is it "
                          "running, and is the URL right?") from None


def put_file(url: str, path: Path, content_type: str,
             credentials: Credentials | None = None, method: str = "PUT") -> None:
    """Send a file as the request body, streamed."""
    with path.open("rb") as stream:
        request(method, url, body=stream, headers={"Content-Type": content_type},
                credentials=credentials, length=path.stat().st_size)


def select(endpoint: str, query: str, credentials: Credentials | None = None,
           timeout: float = 600.0) -> list[dict[str, dict[str, str]]]:
    """A SELECT query (POSTed form); the SPARQL JSON bindings."""
    body = urllib.parse.urlencode({"query": query}).encode()
    data = request("POST", endpoint, body=body, credentials=credentials, timeout=timeout,
                   headers={"Content-Type": "application/x-www-form-urlencoded",
                            "Accept": "application/sparql-results+json"})
    try:
        parsed: Any = json.loads(data)
        bindings: list[dict[str, dict[str, str]]] = parsed["results"]["bindings"]
    except (ValueError, KeyError, TypeError):
        raise EngineError(f"{_short(endpoint)} did not answer a SELECT query with SPARQL "
                          f"JSON results: {data[:200]!r}") from None
    return bindings


def iri(value: str) -> str:
    """An IRI written for SPARQL or N-Triples (the release's IRIs need no escaping; refuse
    the ones that would)."""
    if any(c in value for c in '<>"{}|^`\\ \n'):
        raise EngineError(f"cannot write the IRI {value!r} in a request")
    return f"<{value}>"


def values(name: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{name} {{ " + " ".join(iri(i) for i in iris) + " }"


def _short(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
