"""``ccgraph fetch``: download the public sources pinned in ``data/sources.csv``.

Each file is downloaded into a hidden ``.NAME.part`` beside its final place, its size and
sha256 are checked, and only then is it renamed (atomically) to NAME: a wrong checksum or
an interrupted download never leaves a file the build would read. An interrupted download
keeps its ``.part`` and the next run resumes it with an HTTP Range request (or starts again
when the server ignores Range). Errors are :class:`FetchError` with a plain message.
"""

from __future__ import annotations

import csv
import hashlib
import os
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import IO

from .records import SourceError

CHUNK = 64 * 1024
FIELDS = ("name", "url", "sha256", "bytes", "rights", "retrieved", "note")


class FetchError(Exception):
    """A download that failed; the message says what happened and what to do."""


@dataclass(frozen=True)
class Entry:
    """One row of the manifest. ``url`` is empty for a source with no public download."""

    name: str
    url: str
    sha256: str
    bytes: int | None
    rights: str
    retrieved: str
    note: str

    @property
    def fetchable(self) -> bool:
        return bool(self.url and self.sha256 and self.bytes is not None)


def read_manifest(path: Path) -> list[Entry]:
    """The rows of ``data/sources.csv``; a bad row raises SourceError naming line and field."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except FileNotFoundError:
        raise SourceError(str(path), "file not found") from None
    entries: list[Entry] = []
    with handle:
        reader = csv.DictReader(handle)
        missing = [f for f in FIELDS if f not in (reader.fieldnames or [])]
        if missing:
            raise SourceError(str(path), f"missing column(s) {', '.join(missing)}", line=1,
                              hint=f"the header is {','.join(FIELDS)}")
        for line, row in enumerate(reader, start=2):
            name = (row["name"] or "").strip()
            if not name or "/" in name or name.startswith("."):
                raise SourceError(str(path), f"bad file name {name!r}", line=line, field="name")
            sha = (row["sha256"] or "").strip().lower()
            if sha and (len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha)):
                raise SourceError(str(path), "not a sha256 (64 hex digits)", line=line,
                                  field="sha256")
            size = (row["bytes"] or "").strip()
            if size and not size.isdigit():
                raise SourceError(str(path), f"{size!r} is not a number of bytes", line=line,
                                  field="bytes")
            entries.append(Entry(name, (row["url"] or "").strip(), sha,
                                 int(size) if size else None, row["rights"] or "",
                                 row["retrieved"] or "", row["note"] or ""))
    return entries


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_verified(path: Path, entry: Entry) -> bool:
    """``path`` is a file of the entry's size and sha256."""
    return (path.is_file() and path.stat().st_size == entry.bytes
            and sha256_of(path) == entry.sha256)


def url_for(entry: Entry, mirror: str = "") -> str:
    """Where to download ``entry``: ``mirror/NAME`` when a mirror is given (a base URL, or
    a local directory), else its URL."""
    if not mirror:
        return entry.url
    if "://" not in mirror:
        mirror = Path(mirror).expanduser().resolve().as_uri()
    return f"{mirror.rstrip('/')}/{entry.name}"


Progress = Callable[[int, int], None]


def terminal_progress(name: str, stream: IO[str] | None = None) -> Progress | None:
    """A progress line on ``stream`` (default stderr), or None when it is not a terminal."""
    out = stream or sys.stderr
    if not out.isatty():
        return None

    def show(done: int, total: int) -> None:
        share = done / total if total else 1.0
        out.write(f"\r{name}: {share:4.0%} ({done // 1024:,} of {total // 1024:,} KiB)")
        if done >= total:
            out.write("\n")
        out.flush()

    return show


def fetch_entry(entry: Entry, into: Path, mirror: str = "", timeout: float = 30.0,
                progress: Progress | None = None) -> bool:
    """Download ``entry`` into ``into`` unless a verified copy is there already.
    Returns True when it downloaded, False when the copy was already there."""
    if not entry.fetchable or entry.bytes is None:
        raise FetchError(f"{entry.name} has no public download: {entry.note}")
    target = into / entry.name
    if is_verified(target, entry):
        return False
    part = into / f".{entry.name}.part"
    if part.is_file() and part.stat().st_size >= entry.bytes and not is_verified(part, entry):
        part.unlink()
    if not part.is_file() or part.stat().st_size < entry.bytes:
        _download(url_for(entry, mirror), part, entry.bytes, timeout, progress)
    if not is_verified(part, entry):
        got, digest = part.stat().st_size, sha256_of(part)
        part.unlink()
        raise FetchError(
            f"{entry.name}: the downloaded file ({got:,} bytes, sha256 {digest}) "
            f"is not the pinned one ({entry.bytes:,} bytes, sha256 {entry.sha256}); nothing was "
            "kept. The server holds another file under this name: check --from, or the URL "
            "in data/sources.csv")
    os.replace(part, target)
    return True


def _download(url: str, part: Path, expected: int, timeout: float,
              progress: Progress | None) -> None:
    """Append to ``part`` from ``url`` (resuming at its size), at most ``expected`` bytes."""
    have = part.stat().st_size if part.is_file() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "ccgraph-fetch"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    where = _host(url)
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 416 and have:  # the partial file is not a prefix the server knows
            part.unlink()
            return _download(url, part, expected, timeout, progress)
        raise FetchError(f"{url}: the server answered {exc.code} {exc.reason}; check the "
                         "address (--from, or the URL in data/sources.csv)") from None
    except urllib.error.URLError as exc:
        raise FetchError(_network_message(url, where, exc.reason, timeout)) from None
    except TimeoutError as exc:
        raise FetchError(_network_message(url, where, exc, timeout)) from None
    except (HTTPException, OSError) as exc:
        raise FetchError(_network_message(url, where, exc, timeout)) from None
    except ValueError as exc:  # not a URL urllib can open
        raise FetchError(f"{url}: {exc}; give --from an http(s) URL or a directory") from None
    with response:
        status = response.status or 200  # file: URLs have no status
        resumed = have and status == 206 and response.headers.get(
            "Content-Range", "").startswith(f"bytes {have}-")
        mode = "ab" if resumed else "wb"  # a server that ignores Range sends it all again
        done = have if resumed else 0
        try:
            part.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FetchError(f"cannot create {part.parent}: {exc.strerror}; choose another "
                             "directory with --into") from None
        try:
            with part.open(mode) as out:
                while done < expected:
                    chunk = response.read(min(CHUNK, expected - done))
                    if not chunk:
                        break
                    out.write(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(done, expected)
                out.flush()
                os.fsync(out.fileno())
        except (TimeoutError, HTTPException, OSError) as exc:
            raise FetchError(_stopped(url, part, done, expected, exc, timeout)) from None
    if done < expected:
        raise FetchError(_stopped(url, part, done, expected, None, timeout))


def _host(url: str) -> str:
    parsed = urllib.parse.urlsplit(url)
    return parsed.netloc or url


def _network_message(url: str, where: str, reason: object, timeout: float) -> str:
    if isinstance(reason, ConnectionRefusedError):
        why = f"cannot connect to {where}: connection refused"
    elif isinstance(reason, TimeoutError):
        why = f"no answer from {where} within {timeout:g} s"
    elif isinstance(reason, socket.gaierror):
        why = f"cannot resolve {where}: no network, or no DNS (offline?)"
    elif isinstance(reason, FileNotFoundError):
        return f"{url}: no such file; check the directory given to --from"
    else:
        why = f"cannot download {url}: {getattr(reason, 'strerror', None) or reason}"
    return (f"{why}. Nothing was changed. Run `ccgraph fetch` again when the network is "
            "back, or give a mirror with --from URL (a directory of the files by name)")


def _stopped(url: str, part: Path, done: int, expected: int, exc: BaseException | None,
             timeout: float) -> str:
    cause = (f"no data for {timeout:g} s" if isinstance(exc, TimeoutError)
             else f"{exc}" if exc is not None else "the server closed the connection")
    return (f"{url}: the download stopped after {done:,} of {expected:,} bytes ({cause}). "
            f"The part is kept as {part} (not used by the build); run `ccgraph fetch` again "
            "to resume it")




def fetch_all(entries: list[Entry], into: Path, mirror: str = "", timeout: float = 30.0,
              say: Callable[[str], None] = print, stream: IO[str] | None = None) -> int:
    """Fetch every fetchable entry into ``into``; returns how many were downloaded.
    Raises FetchError at the first failure (files fetched before it stay)."""
    downloaded = 0
    for entry in entries:
        if not entry.fetchable:
            say(f"{entry.name}: not fetched ({entry.note})")
            continue
        url = url_for(entry, mirror)
        if fetch_entry(entry, into, mirror, timeout, terminal_progress(entry.name, stream)):
            downloaded += 1
            say(f"{entry.name}: downloaded from {url} into {into} "
                f"({entry.bytes:,} bytes, sha256 verified)")
        else:
            say(f"{entry.name}: already in {into} (sha256 verified)")
    return downloaded


def check_sources(entries: list[Entry], dirs: list[Path]) -> tuple[list[str], bool]:
    """Where each source of the manifest is found in ``dirs`` (in order), and whether
    every fetchable one is there with its pinned checksum."""
    lines = ["looking in: " + ", ".join(str(d) for d in dirs)]
    complete = True
    for entry in entries:
        found = next((d / entry.name for d in dirs if (d / entry.name).is_file()), None)
        if found is None:
            complete = complete and not entry.fetchable
            hint = "run `ccgraph fetch`" if entry.fetchable else entry.note
            lines.append(f"{entry.name}: missing ({hint})")
        elif entry.sha256 and entry.bytes is not None and not is_verified(found, entry):
            complete = complete and not entry.fetchable
            lines.append(f"{entry.name}: {found} differs from the pinned copy "
                         f"({entry.bytes:,} bytes, sha256 {entry.sha256})")
        else:
            pinned = " (sha256 verified)" if entry.sha256 else ""
            lines.append(f"{entry.name}: {found}{pinned}")
    return lines, complete


__all__ = ["Entry", "FetchError", "check_sources", "fetch_all", "fetch_entry", "is_verified",
           "read_manifest", "sha256_of", "terminal_progress", "url_for"]
