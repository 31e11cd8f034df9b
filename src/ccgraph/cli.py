"""The command line: a thin layer that wires the stages together (see DESIGN.md).

Exit codes: 0 success, 1 data does not conform or a source is invalid, 2 usage.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .records import SourceError
from .settings import BY_NAME, Settings

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2

#: which settings each command takes as flags (the Settings table holds their help and types)
COMMAND_SETTINGS: dict[str, tuple[str, ...]] = {
    "build": ("base", "data"),
    "validate": (),
    "serve": ("store", "host", "port", "workers", "query_timeout", "result_cap", "sources",
              "public_url", "update_token", "max_body_bytes"),
    "query": (),
    "export": ("store",),
    "fetch": ("sources_cache", "sources_mirror", "fetch_timeout"),
    "release": ("store",),
}


def _add_settings(parser: argparse.ArgumentParser, names: Sequence[str]) -> None:
    for name in names:
        s = BY_NAME[name]
        parser.add_argument(s.option, dest=name, default=None, type=s.type,
                            help=f"{s.help} (env {s.env}, default {s.default!r})")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ccgraph", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"ccgraph {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", help="build, validate and publish the graph")
    b.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="profile .txt files, directories or a JSON corpus "
                        "(default: the sources found in CCGRAPH_SOURCES, else "
                        "../shared/sources, then where `ccgraph fetch` puts them)")
    b.add_argument("--members", type=Path, help="members table CSV (default data/members.csv)")
    b.add_argument("--out", dest="store", type=Path, default=None,
                   help=f"{BY_NAME['store'].help} (env {BY_NAME['store'].env}, default build)")
    _add_settings(b, COMMAND_SETTINGS["build"])

    v = sub.add_parser("validate", help="check RDF files or a built store against the shapes")
    v.add_argument("files", nargs="*", type=Path, metavar="FILE")
    v.add_argument("--store", type=Path, default=None, help="a build directory to check")
    v.add_argument("--format", choices=("text", "turtle", "json"), default="text")

    s = sub.add_parser("serve", help="serve the graph over HTTP (builds first if needed)")
    _add_settings(s, COMMAND_SETTINGS["serve"])

    q = sub.add_parser("query", help="run a SPARQL query against an endpoint")
    q.add_argument("sparql", help="the query text, or @FILE to read it from a file")
    q.add_argument("--endpoint", default=None,
                   help="SPARQL endpoint URL (default: the local server)")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")

    e = sub.add_parser("export", help="write the graph in one format")
    e.add_argument("--format", choices=("ttl", "nt", "nq", "jsonld"), required=True)
    e.add_argument("--out", type=Path, default=None, help="output file (default: stdout)")
    _add_settings(e, COMMAND_SETTINGS["export"])

    f = sub.add_parser("fetch", help="download the public sources pinned in data/sources.csv")
    f.add_argument("--check", action="store_true",
                   help="download nothing: say where each source is found (exit 1 when a "
                        "fetchable one is missing)")
    _add_settings(f, COMMAND_SETTINGS["fetch"])

    r = sub.add_parser("release", help="turn the live build into an immutable, citable release")
    r.add_argument("--name", required=True, help="the release's name, e.g. 2026.12")
    r.add_argument("--notes", type=Path, default=None, help="a Markdown file of release notes")
    _add_settings(r, COMMAND_SETTINGS["release"])
    return p


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _settings(args: argparse.Namespace) -> Settings:
    given = {k: v for k, v in vars(args).items() if k in BY_NAME and v is not None}
    return Settings.load(given)


def default_sources(settings: Settings) -> list[Path]:
    """The sources of a build with no PATH (see locate.py for the order)."""
    from .locate import search_dirs, source_files

    return source_files(search_dirs(settings))


def cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildFailed, build

    settings = _settings(args)
    paths = list(args.paths) or default_sources(settings)
    if not paths:
        _progress("no sources found: building from the curated data and members table only "
                  "(`ccgraph fetch` downloads the profiles)")
    elif not args.paths:
        _progress("sources: " + ", ".join(str(p) for p in paths))
    try:
        result = build(paths, Path(settings.store), settings, args.members, _progress)
    except BuildFailed as failed:
        print(failed.report.text(), file=sys.stderr)
        print(f"build failed: {len(failed.report.violations)} violation(s); "
              f"{settings.store} was left as it was", file=sys.stderr)
        return EXIT_DATA
    except SourceError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        print(f"{settings.store} was left as it was", file=sys.stderr)
        return EXIT_DATA
    print(summary(result, Path(settings.store)))
    return EXIT_OK


def summary(result: Any, out: Path) -> str:
    meta = result.meta
    lines = [f"built {out} (version {meta.version}): {meta.quads} quads in "
             f"{len(meta.graphs)} named graphs"]
    q = result.quality
    lines.append(f"profiles modelled: {q.get('profiles_modelled', 0)}; "
                 f"validation warnings: {q.get('warnings', 0)}")
    pledges = q.get("pledges", {})
    if pledges:
        lines.append(f"pledges: {pledges.get('total')} ({pledges.get('share_with_pledges', 0):.0%} "
                     f"of parsed profiles have one); skipped sources: "
                     f"{len(q.get('profiles_skipped', []))}; cities without pledges: "
                     f"{len(q.get('cities_without_pledges', []))}; memberships without a year: "
                     f"{len(q.get('memberships_without_year', []))}")
    scores = q.get("mention_scores")
    if scores:
        lines.append("named mentions (gold set): " + ", ".join(
            f"{kind} P {v['precision']:.2f} R {v['recall']:.2f}"
            for kind, v in scores.items() if isinstance(v, dict)))
    if "near_duplicate_detection" in q:
        lines.append(f"near-duplicate passages across profiles: {len(q['near_duplicates'])} "
                     f"pairs at similarity >= {q['near_duplicate_detection']['threshold']}")
    lines.append(f"quality report: {out / 'reports' / 'quality.txt'}")
    lines.append("seconds per stage: " + ", ".join(f"{k} {v:.2f}"
                                                  for k, v in result.seconds.items()))
    return "\n".join(lines)


def cmd_validate(args: argparse.Namespace) -> int:
    from .sources import load_dataset
    from .validate import load_shapes, validate

    if bool(args.files) == bool(args.store):
        print("ccgraph validate: give RDF files or --store DIR (one of them)", file=sys.stderr)
        return EXIT_USAGE
    try:
        dataset = load_dataset(files=args.files, store=args.store)
    except (SourceError, FileNotFoundError) as exc:
        print(f"validate: {exc}", file=sys.stderr)
        return EXIT_DATA
    report = validate(dataset, load_shapes())
    if args.format == "turtle":
        sys.stdout.write(report.to_turtle())
    elif args.format == "json":
        sys.stdout.write(report.to_json() + "\n")
    else:
        sys.stdout.write(report.text())
    return EXIT_OK if report.conforms else EXIT_DATA


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    serve(_settings(args))
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    from .client import run_query

    text = args.sparql
    if text.startswith("@"):
        text = Path(text[1:]).read_text(encoding="utf-8")
    settings = Settings.load()
    endpoint = args.endpoint or f"http://{settings.host}:{settings.port}/sparql"
    try:
        sys.stdout.write(run_query(endpoint, text, args.format))
    except Exception as exc:  # the client reports network and endpoint errors
        print(f"query failed: {exc}", file=sys.stderr)
        return EXIT_DATA
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from .export import export
    from .store import NoBuild

    settings = _settings(args)
    try:
        data = export(Path(settings.store), args.format)
    except NoBuild as exc:
        print(f"export: {exc}", file=sys.stderr)
        return EXIT_DATA
    if args.out:
        args.out.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return EXIT_OK


def cmd_fetch(args: argparse.Namespace) -> int:
    from .fetch import FetchError, check_sources, fetch_all, read_manifest
    from .locate import cache_dir, search_dirs
    from .settings import data_dir

    settings = _settings(args)
    try:
        entries = read_manifest(data_dir(settings) / "sources.csv")
    except SourceError as exc:
        print(f"fetch: {exc}", file=sys.stderr)
        return EXIT_DATA
    if args.check:
        lines, complete = check_sources(entries, search_dirs(settings))
        print("\n".join(lines))
        return EXIT_OK if complete else EXIT_DATA
    try:
        fetch_all(entries, cache_dir(settings), settings.sources_mirror,
                  settings.fetch_timeout)
    except FetchError as exc:
        print(f"fetch failed: {exc}", file=sys.stderr)
        return EXIT_DATA
    except KeyboardInterrupt:
        print("\nfetch interrupted: a partial download is kept hidden (.NAME.part) and is "
              "resumed by the next `ccgraph fetch`", file=sys.stderr)
        return 130
    return EXIT_OK


def cmd_release(args: argparse.Namespace) -> int:
    from .release import ReleaseError, make_release

    settings = _settings(args)
    try:
        release = make_release(Path(settings.store), args.name, args.notes, _progress)
    except ReleaseError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return EXIT_DATA
    print(f"released {release.name} ({release.issued}): {release.quads} quads, "
          f"{len(release.files)} files in {release.path}")
    if release.previous:
        print(f"changes since {release.previous}: {release.path / 'CHANGES.md'}")
    return EXIT_OK


COMMANDS = {"build": cmd_build, "validate": cmd_validate, "serve": cmd_serve,
            "query": cmd_query, "export": cmd_export, "fetch": cmd_fetch,
            "release": cmd_release}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ValueError as exc:  # bad setting values
        print(f"ccgraph {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
