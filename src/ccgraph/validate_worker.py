"""The write worker: applies a write, validates it with SHACL and writes the new version.

Run by :class:`ccgraph.writes.Writer` as ``python -m ccgraph.validate_worker --serve``, one
per Writer (under ``ccgraph serve``, one for the whole server: the write service's,
writes/service.py), so that pyshacl (which patches rdflib globals) never loads in a server
worker, and a runaway or crashing update only costs this process (the parent kills it at
the deadline and starts another).

Protocol (``--serve``): the parent writes a JSON header line and ``header["payload"]`` bytes
to stdin; the child answers JSON lines on stdout: ``{"stage": "ready"}`` once at start,
then per write ``{"stage": "loaded"}`` (the live version is read; the change's deadline
starts), ``{"stage": "applied"}`` (the change is evaluated) and ``{"stage": "done",
...}`` (an :class:`ccgraph.writes.WriteResult`, plus ``staging``/``name`` of the version written
when it is committed). A header of kind ``warm`` (no payload) only reads the live version
and prepares the next write's state; the answer is one ``{"stage": "done", "status":
"warm", ...}``. Nothing else is written to stdout.

Without ``--serve`` it validates N-Quads read on stdin (the union of their graphs) and
prints the report: ``--format text|turtle|json``; exit code 0 when it conforms, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import sys
import time
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import URIRef

from . import iris, writes
from .store import META_FILE, REPORTS_DIR, STORE_DIR, new_staging, version_name
from .writes import group

#: versions a write worker catches up with from their recorded changes (more: read whole)
CATCH_UP_MAX = 16
#: address space a write worker may use (a runaway update fails instead of swapping)
MEMORY_LIMIT = 8 << 30


class Live:
    """What the worker keeps of the live version between writes: its named graphs (VoID
    left out) as a set and in a store whose default graph is their union (for the walks of
    incremental validation and the quick DATA path), its VoID quads, and its validation
    results (None: unknown)."""

    def __init__(self, name: str, named: list[ox.Quad], base: str,
                 results: list[Any] | None) -> None:
        self.name = name
        self.void_node = ox.NamedNode(str(iris.graph("void", base)))
        self.quads = {q for q in named if q.graph_name != self.void_node}
        self.void = [q for q in named if q.graph_name == self.void_node]
        self.store = ox.Store()
        self.store.extend(self.quads)
        self.store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                          for q in self.quads)
        self.results = results
        #: the report files (text, Turtle, JSON) of ``results`` when a write worker wrote
        #: them (a write whose results are the same reuses them); None: unknown
        self.reports: tuple[str, str, str] | None = None
        self.pub: writes.Published | None = None  # made on the first write (fast.py)
        self._generated: tuple[list[ox.Quad], set[ox.Triple]] | None = None

    @property
    def named(self) -> list[ox.Quad]:
        """As :func:`writes.named_quads` reads the version (VoID included)."""
        return [*self.quads, *self.void]

    def generated(self) -> set[ox.Triple]:
        if self._generated is None or self._generated[0] is not self.void:
            self._generated = (self.void, {q.triple for q in self.void})
        return self._generated[1]

    def published(self, base: str) -> writes.Published:
        if self.pub is None:
            self.pub = writes.Published(self.quads, self.void, base)
        return self.pub

    def holds_graph(self, graph: str | None) -> bool:
        """Whether the named graph ``graph`` has quads (None: the default graph, always)."""
        return graph is None or any(
            True for _ in self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def held(self, t: ox.Triple) -> bool:
        return ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) in self.store

    def union_change(self, added: set[ox.Quad], removed: set[ox.Quad]
                     ) -> tuple[set[ox.Triple], set[ox.Triple]]:
        """The triples of the union a change of named-graph quads adds and removes."""
        gained = {q.triple for q in added if not self.held(q.triple)}
        lost = set()
        for t in {q.triple for q in removed} - {q.triple for q in added}:
            if not any(isinstance(h.graph_name, ox.NamedNode) and h not in removed
                       for h in self.store.quads_for_pattern(t.subject, t.predicate,
                                                             t.object, None)):
                lost.add(t)
        return gained, lost

    def after(self, added: set[ox.Quad], removed: set[ox.Quad]) -> set[ox.Quad]:
        return (self.quads - removed) | added

    def change(self, name: str, added: set[ox.Quad], removed: set[ox.Quad],
               gained: set[ox.Triple], lost: set[ox.Triple], void: list[ox.Quad],
               results: list[Any], reports: tuple[str, str, str] | None = None) -> None:
        default = ox.DefaultGraph()
        for q in removed:
            self.store.remove(q)
        for t in lost:
            self.store.remove(ox.Quad(t.subject, t.predicate, t.object, default))
        self.store.extend(added)
        self.store.extend(ox.Quad(t.subject, t.predicate, t.object, default) for t in gained)
        self.quads -= removed
        self.quads |= added
        self.name, self.void, self.results = name, void, results
        self.reports = reports

    def refuse_wiping(self, added: set[ox.Quad], removed: set[ox.Quad], base: str) -> None:
        """changes.refuse_wiping, asked only when the change removes what it guards."""
        guarded = {ox.NamedNode(str(iris.graph(n, base))) for n in ("ontology", "vocab")}
        if any(q.graph_name in guarded or (q.predicate, q.object) == _CITY_TYPE
               for q in removed):
            writes.refuse_wiping(self.quads, self.after(added, removed), base)


_CITY_TYPE = (ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
              ox.NamedNode("https://w3id.org/ccgraph/ontology#CreativeCity"))


class Worker:
    def __init__(self, out: IO[bytes]) -> None:
        from .validate import load_shapes
        from .validate.incremental import Analysis, Walker, validate_focus

        self.out = out
        self.shapes = load_shapes()
        self.analysis = Analysis.of(self.shapes)
        self.walker = Walker(self.analysis)
        validate_focus([], self.shapes, set())  # parses the shapes' SPARQL queries once
        self.live: Live | None = None
        #: the store a write changes, kept open between writes (writes/workstore.py)
        self.work: writes.WorkStore | None = None

    def close(self) -> None:
        """Remove the kept store (a worker killed with SIGKILL leaves it to
        store.remove_leftovers, which the parent runs before each write)."""
        if self.work is not None:
            self.work.drop()
            self.work = None

    def send(self, message: dict[str, Any]) -> None:
        self.out.write(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")
        self.out.flush()

    def load(self, root: Path, link: str, base: str) -> Live:
        from .validate.incremental import results_from_json

        name = Path(link).name
        if self.live is not None and self.live.name == name:
            return self.live
        if self.live is not None and self.catch_up(self.live, root / link, name, base):
            return self.live
        results = results_from_json(root / link / REPORTS_DIR / "validation.json")
        if results is not None and any(not isinstance(r.focus, URIRef) for r in results):
            results = None  # blank nodes of another parse: validate everything once
        self.live = Live(name, writes.named_quads(root / link, base), base, results)
        return self.live

    def catch_up(self, live: Live, version_dir: Path, name: str, base: str) -> bool:
        """Bring ``live`` to ``version_dir`` when that follows it by a few writes (another
        server worker's), from the changes they recorded; False when it cannot (then the
        version is read whole)."""
        from .validate.incremental import results_from_json
        from .writes.fast import catch_up, read_change

        chain: list[tuple[Path, set[ox.Quad], set[ox.Quad]]] = []
        here = version_dir
        for _ in range(CATCH_UP_MAX):
            change = read_change(here)
            if change is None:
                return False
            parent, added, removed = change
            chain.append((here, added, removed))
            if live.name.rpartition("-")[2] == parent:
                break
            older = sorted(here.parent.glob(f"*-{parent}"))
            if not older:
                return False
            here = older[-1]
        else:
            return False
        results = results_from_json(version_dir / REPORTS_DIR / "validation.json")
        if results is not None and any(not isinstance(r.focus, URIRef) for r in results):
            results = None
        try:
            for step_dir, added, removed in reversed(chain):
                store = ox.Store.read_only(str(step_dir / STORE_DIR))
                void = list(store.quads_for_pattern(None, None, None, live.void_node))
                gained, lost = live.union_change(added, removed)
                if live.pub is not None:
                    catch_up(live.pub, store, added, removed, void, base)
                del store
                live.change(step_dir.name, added, removed, gained, lost, void, [])
            live.results = results
            live.reports = _report_files(version_dir) if results is not None else None
        except Exception:  # half caught up: read the version whole instead
            self.live = None
            return False
        return live.name == name

    def validate(self, live: Live, added_q: set[ox.Quad], removed_q: set[ox.Quad],
                 added: set[ox.Triple], removed: set[ox.Triple]
                 ) -> tuple[writes.Validation, dict[str, Any]]:
        """The report of the data after the change: incremental when the live version's
        results are known and the change can be bounded, else the full validation."""
        from .validate.incremental import check_results, report_graph, same_results
        from .validate.report import Report

        if live.results is not None:
            done = check_results(self.analysis, self.walker, live.store, self.shapes, added,
                                 removed, live.results)
            if done is not None:
                results, checked = done
                how = {"validation": "incremental", "checked": checked}
                conforms = not any(r.severity == "Violation" for r in results)
                if live.reports is not None and same_results(results, live.results):
                    text, turtle, js = live.reports  # the same results: the same report
                    return writes.Validation(conforms, text, turtle, js, live.results), how
                report = Report(conforms, results, report_graph(conforms, results))
                return (writes.Validation(report.conforms, report.text(), report.to_turtle(),
                                          report.to_json(), report.results), how)
        return (writes.validate_quads(live.after(added_q, removed_q), self.shapes),
                {"validation": "full"})

    def warm(self, header: dict[str, Any]) -> dict[str, Any]:
        """Read the live version and make what the first write would (writes.Writer.warm):
        a write then costs only its change."""
        t0 = time.monotonic()
        root, link, base = Path(header["root"]), str(header["link"]), str(header["base"])
        live = self.load(root, link, base)
        live.published(base).prepare(root / link, base)
        return {"status": "warm", "message": "ready for writes", "version": live.name,
                "seconds": {"warm": round(time.monotonic() - t0, 3)}}

    def change(self, live: Live, req: writes.Request, base: str
               ) -> tuple[set[ox.Quad], set[ox.Quad], bool, writes.DataOperation | None]:
        """The named-graph quads ``req`` adds and removes on ``live``, whether it creates its
        graph, and its data operation (None: it went the general way). Raises WriteError."""
        created = False
        op = writes.data_operation(req.update) if req.kind == writes.UPDATE else None
        if req.kind == writes.POST:
            op = writes.post_operation(req)
            created = not live.holds_graph(req.graph)
        if op is not None:
            added_q, removed_q = writes.apply_data(op, live.store, live.generated(), base)
            return added_q, removed_q, created, op
        applied = writes.apply(live.named, req, base)
        return (applied.after - applied.before, applied.before - applied.after,
                applied.created, None)

    def verdict(self, live: Live, added_q: set[ox.Quad], removed_q: set[ox.Quad], base: str
                ) -> tuple[writes.Validation, dict[str, Any], set[ox.Triple], set[ox.Triple]]:
        """The change checked: refuse_wiping (raises WriteError), then SHACL."""
        live.refuse_wiping(added_q, removed_q, base)
        gained, lost = live.union_change(added_q, removed_q)
        report, how = self.validate(live, added_q, removed_q, gained, lost)
        return report, how, gained, lost

    def commit(self, root: Path, link: str, base: str, live: Live, added_q: set[ox.Quad],
               removed_q: set[ox.Quad], gained: set[ox.Triple], lost: set[ox.Triple],
               report: writes.Validation, note: dict[str, Any]) -> tuple[str, Path, str]:
        """The new version written aside (fast.py) and ``live`` moved to it: its version id,
        staging directory and directory name."""
        staging = new_staging(root)
        reports = {"validation.txt": report.text, "validation.ttl": report.turtle,
                   "validation.json": report.json}
        pub = live.published(base)
        if self.work is None or self.work.root != root:
            if self.work is not None:
                self.work.drop()
            self.work = writes.WorkStore(root)
        try:
            meta, void_quads = writes.write_fast(staging, root / link, pub, added_q,
                                                 removed_q, base, reports, note, self.work)
        except BaseException:
            live.pub = None  # half changed: made again from the named graphs next time
            raise
        name = version_name(meta.version)
        self.work.written(name)
        live.change(name, added_q, removed_q, gained, lost, void_quads, report.results,
                    (report.text, report.turtle, report.json))
        return meta.version, staging, name

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
        req = _request(header, payload)
        live = self.load(root, link, base)
        tick("load")
        self.send({"stage": "loaded"})
        try:
            added_q, removed_q, created, _ = self.change(live, req, base)
        except writes.WriteError as exc:
            return {"status": exc.status, "message": str(exc), "seconds": times}
        except MemoryError:
            return {"status": writes.TOO_LARGE, "seconds": times,
                    "message": "the update needs more memory than a write may use"}
        tick("apply")
        self.send({"stage": "applied"})
        inserted = len(added_q)
        deleted = len(removed_q)
        counts = {"inserted": inserted, "deleted": deleted, "created": created}
        refused = _refused(inserted, deleted, int(header["cap"]), root / link)
        if refused is not None:
            return {**refused, "seconds": times, **counts}
        try:
            report, how, gained, lost = self.verdict(live, added_q, removed_q, base)
        except writes.WriteError as exc:
            return {"status": exc.status, "message": str(exc), "seconds": times, **counts}
        tick("validate")
        if not report.conforms:
            return _invalid(report, times, counts)
        note = {"kind": req.kind, "inserted": inserted, "deleted": deleted, **how}
        tick("prepare")
        version, staging, name = self.commit(root, link, base, live, added_q, removed_q,
                                             gained, lost, report, note)
        tick("write")
        return {"status": writes.COMMITTED, "message": "committed", "version": version,
                "staging": str(staging), "name": name, "seconds": times, **counts}

    def handle_group(self, header: dict[str, Any], payload: bytes) -> dict[str, Any]:
        """Several writes that queued together, committed as one version when each is a
        data operation (INSERT DATA, DELETE DATA, Graph Store POST) on triples no other one
        of the group names, and their union conforms (writes/group.py). The answer: one
        result per write in ``group`` (status ``split``: run it alone afterwards), and the
        version written (``staging``/``name``) when some were committed."""
        t0 = time.monotonic()
        root, link, base = Path(header["root"]), str(header["link"]), str(header["base"])
        cap = int(header["cap"])
        live = self.load(root, link, base)
        self.send({"stage": "loaded"})
        load_s = round(time.monotonic() - t0, 3)
        results: list[dict[str, Any]] = []
        members: list[group.Member] = []
        plan = group.Plan()
        offset = 0
        for i, sub in enumerate(header["writes"]):
            size = int(sub.get("payload") or 0)
            req = _request(sub, payload[offset:offset + size])
            offset += size
            results.append({"status": group.SPLIT})
            try:
                op = (writes.data_operation(req.update) if req.kind == writes.UPDATE
                      else writes.post_operation(req) if req.kind == writes.POST else None)
                if op is None or not plan.take(op, req, not live.holds_graph(req.graph)):
                    continue  # alone, after the group
                added_q, removed_q, created, _ = self.change(live, req, base)
            except writes.WriteError as exc:
                results[i] = {"status": exc.status, "message": str(exc)}
                continue
            except MemoryError:
                continue
            counts = {"inserted": len(added_q), "deleted": len(removed_q), "created": created}
            refused = _refused(len(added_q), len(removed_q), cap, root / link)
            if refused is not None:
                results[i] = {**refused, **counts}
                continue
            members.append(group.Member(i, req.kind, added_q, removed_q, counts))
        self.send({"stage": "applied"})
        apply_s = round(time.monotonic() - t0 - load_s, 3)
        committed, how, report = self._group_verdict(live, members, results, base)
        times = {"load": load_s, "apply": apply_s,
                 "validate": round(time.monotonic() - t0 - load_s - apply_s, 3)}
        answer: dict[str, Any] = {"group": results}
        if committed and report is not None:
            added_q, removed_q = group.union(committed)
            gained, lost = live.union_change(added_q, removed_q)
            note = {"kind": "group", "writes": len(committed), "inserted": len(added_q),
                    "deleted": len(removed_q), **how}
            mark = time.monotonic()
            version, staging, name = self.commit(root, link, base, live, added_q, removed_q,
                                                 gained, lost, report, note)
            times["write"] = round(time.monotonic() - mark, 3)
            for m in committed:
                results[m.index] = {"status": writes.COMMITTED, "version": version,
                                    "message": f"committed (with {len(committed) - 1} other "
                                               "write(s) in one version)"
                                    if len(committed) > 1 else "committed", **m.counts}
            answer.update(staging=str(staging), name=name, version=version)
        for r in results:
            r.setdefault("seconds", dict(times))
        return answer

    def _group_verdict(self, live: Live, members: list[group.Member],
                       results: list[dict[str, Any]], base: str
                       ) -> tuple[list[group.Member], dict[str, Any], writes.Validation | None]:
        """The members to commit together, how they were validated and their report.
        The union is checked first; when it fails, each member alone (a write that fails
        alone gets its own refusal), then the union of those that pass; when that fails
        too, every one of them runs alone (``split``)."""
        if not members:
            return [], {}, None
        added_q, removed_q = group.union(members)
        try:
            report, how, _, _ = self.verdict(live, added_q, removed_q, base)
            if report.conforms:
                return members, how, report
            failed: writes.Validation | writes.WriteError = report
        except writes.WriteError as exc:
            failed = exc
        if len(members) == 1:
            _refuse(results, members[0], failed)
            return [], {}, None
        passing = []
        for m in members:
            try:
                alone, _, _, _ = self.verdict(live, m.added, m.removed, base)
            except writes.WriteError as exc:
                _refuse(results, m, exc)
                continue
            if alone.conforms:
                passing.append(m)
            else:
                _refuse(results, m, alone)
        if not passing or len(passing) == len(members):
            return [], {}, None  # together they fail, each passes: each runs alone
        added_q, removed_q = group.union(passing)
        try:
            report, how, _, _ = self.verdict(live, added_q, removed_q, base)
        except writes.WriteError:
            return [], {}, None
        return (passing, how, report) if report.conforms else ([], {}, None)

def _request(header: dict[str, Any], payload: bytes) -> writes.Request:
    return writes.Request(kind=header["kind"], update=header.get("update") or "",
                          graph=header.get("graph"), payload=payload,
                          media_type=header.get("media_type") or "")


def _refused(inserted: int, deleted: int, cap: int, live_dir: Path) -> dict[str, Any] | None:
    """The answer to a change that is empty or too large; None for any other."""
    if not inserted and not deleted:
        return {"status": writes.UNCHANGED, "message": "no change: nothing to commit",
                "version": _version(live_dir)}
    if inserted + deleted > cap:
        return {"status": writes.TOO_LARGE,
                "message": f"the write would change {inserted + deleted} quads; at most "
                           f"{cap} may change in one write (result_cap)"}
    return None


def _invalid(report: writes.Validation, times: dict[str, float], counts: dict[str, Any]
             ) -> dict[str, Any]:
    return {"status": writes.INVALID, "seconds": times, **counts,
            "message": "the data would not conform to the shapes; nothing was changed",
            "report_text": report.text, "report_turtle": report.turtle}


def _refuse(results: list[dict[str, Any]], member: group.Member,
            failed: writes.Validation | writes.WriteError) -> None:
    """A group member's own refusal: its violations, or what refuse_wiping said."""
    if isinstance(failed, writes.WriteError):
        results[member.index] = {"status": failed.status, "message": str(failed),
                                 **member.counts}
    else:
        results[member.index] = _invalid(failed, {}, member.counts)


def _report_files(version_dir: Path) -> tuple[str, str, str] | None:
    folder = version_dir / REPORTS_DIR
    try:
        return (folder.joinpath("validation.txt").read_text(encoding="utf-8"),
                folder.joinpath("validation.ttl").read_text(encoding="utf-8"),
                folder.joinpath("validation.json").read_text(encoding="utf-8"))
    except OSError:
        return None


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
    # stopped with its server (SIGTERM to the process group): its kept store goes too
    signal.signal(signal.SIGTERM, _stop)
    try:
        return _serve(worker)
    finally:
        worker.close()


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _serve(worker: Worker) -> int:
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
            kind = header.get("kind")
            result = (worker.warm(header) if kind == "warm"
                      else worker.handle_group(header, payload) if kind == "group"
                      else worker.handle(header, payload))
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
