"""The write worker: applies a write, validates it with SHACL and writes the new version.

Run by :class:`ccgraph.writes.Writer` as ``python -m ccgraph.validate_worker --serve``, one
per server process, so that pyshacl (which patches rdflib globals) never loads in a server
worker, and a runaway or crashing update only costs this process (the parent kills it at
the deadline and starts another).

Protocol (``--serve``): the parent writes a JSON header line and ``header["payload"]`` bytes
to stdin; the child answers JSON lines on stdout: ``{"stage": "ready"}`` once at start,
then per request ``{"stage": "applied"}`` (the change is evaluated) and ``{"stage": "done",
...}`` (an :class:`ccgraph.writes.WriteResult`, plus ``staging``/``name`` of the version written
when it is committed). Nothing else is written to stdout.

Without ``--serve`` it validates N-Quads read on stdin (the union of their graphs) and
prints the report: ``--format text|turtle|json``; exit code 0 when it conforms, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from . import writes
from .store import META_FILE, new_staging, version_name

#: address space a write worker may use (a runaway update fails instead of swapping)
MEMORY_LIMIT = 8 << 30


class Worker:
    def __init__(self, out: IO[bytes]) -> None:
        from .validate import load_shapes

        self.out = out
        self.shapes = load_shapes()
        self.cache: tuple[str, list[ox.Quad]] | None = None  # (version name, named quads)

    def send(self, message: dict[str, Any]) -> None:
        self.out.write(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")
        self.out.flush()

    def named(self, root: Path, link: str, base: str) -> list[ox.Quad]:
        name = Path(link).name
        if self.cache is not None and self.cache[0] == name:
            return self.cache[1]
        quads = writes.named_quads(root / link, base)
        self.cache = (name, quads)
        return quads

    def handle(self, header: dict[str, Any], payload: bytes) -> dict[str, Any]:
        times: dict[str, float] = {}
        mark = time.monotonic()

        def tick(stage: str) -> None:
            nonlocal mark
            now = time.monotonic()
            times[stage] = round(now - mark, 3)
            mark = now

        root = Path(header["root"])
        link = str(header["link"])
        base = str(header["base"])
        req = writes.Request(kind=header["kind"], update=header.get("update") or "",
                             graph=header.get("graph"), payload=payload,
                             media_type=header.get("media_type") or "")
        named = self.named(root, link, base)
        tick("load")
        try:
            applied = writes.apply(named, req, base)
        except writes.WriteError as exc:
            return {"status": exc.status, "message": str(exc), "seconds": times}
        except MemoryError:
            return {"status": writes.TOO_LARGE, "seconds": times,
                    "message": "the update needs more memory than a write may use"}
        tick("apply")
        self.send({"stage": "applied"})
        old, after = applied.before, applied.after
        inserted = len(after - old)
        deleted = len(old - after)
        counts = {"inserted": inserted, "deleted": deleted, "created": applied.created}
        if not inserted and not deleted:
            return {"status": writes.UNCHANGED, "message": "no change: nothing to commit",
                    "version": _version(root / link), "seconds": times, **counts}
        cap = int(header["cap"])
        if inserted + deleted > cap:
            return {"status": writes.TOO_LARGE, "seconds": times, **counts,
                    "message": f"the write would change {inserted + deleted} quads; at most "
                               f"{cap} may change in one write (result_cap)"}
        try:
            writes.refuse_wiping(old, after, base)
        except writes.WriteError as exc:
            return {"status": exc.status, "message": str(exc), "seconds": times, **counts}
        report = writes.validate_quads(after, self.shapes)
        tick("validate")
        if not report.conforms:
            return {"status": writes.INVALID, "seconds": times, **counts,
                    "message": "the data would not conform to the shapes; nothing was "
                               "changed",
                    "report_text": report.text, "report_turtle": report.turtle}
        staging = new_staging(root)
        note = {"kind": req.kind, "inserted": inserted, "deleted": deleted}
        meta, void_quads = writes.write_version(staging, after, base, root / link,
                                    {"validation.txt": report.text,
                                     "validation.ttl": report.turtle,
                                     "validation.json": report.json}, note)
        tick("write")
        name = version_name(meta.version)
        self.cache = (name, [*after, *void_quads])  # as named_quads() would read it
        return {"status": writes.COMMITTED, "message": "committed", "version": meta.version,
                "staging": str(staging), "name": name, "seconds": times, **counts}


def _version(path: Path) -> str:
    try:
        return str(json.loads((path / META_FILE).read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return ""


def serve() -> int:
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # stray prints must not corrupt the protocol
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > MEMORY_LIMIT:
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, hard))
        del soft
    except (ValueError, OSError):
        pass
    worker = Worker(out)
    worker.send({"stage": "ready", "pid": os.getpid()})
    stdin = sys.stdin.buffer
    parent = os.getppid()
    while True:
        line = stdin.readline()
        if not line or os.getppid() != parent:
            return 0
        header = json.loads(line)
        payload = stdin.read(int(header.get("payload") or 0))
        try:
            result = worker.handle(header, payload)
        except MemoryError:
            result = {"status": writes.TOO_LARGE,
                      "message": "the write needs more memory than a write may use"}
        except Exception as exc:  # reported to the parent, which answers 500
            result = {"status": writes.ERROR, "message": f"{type(exc).__name__}: {exc}"}
        worker.send({"stage": "done", **result})


def validate_stdin(fmt: str) -> int:
    from .validate import load_shapes

    data = sys.stdin.buffer.read()
    try:
        quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    except SyntaxError as exc:
        print(f"the input is not N-Quads: {exc}", file=sys.stderr)
        return 2
    report = writes.validate_quads(quads, load_shapes())
    print({"text": report.text, "turtle": report.turtle, "json": report.json}[fmt], end="")
    return 0 if report.conforms else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ccgraph.validate_worker",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", action="store_true", help="the write-worker protocol")
    parser.add_argument("--format", choices=("text", "turtle", "json"), default="text")
    args = parser.parse_args(argv)
    return serve() if args.serve else validate_stdin(args.format)


__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
