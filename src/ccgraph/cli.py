"""The command line: a thin layer that wires the stages together (see docs/design.md).

Exit codes: 0 success, 1 data does not conform or a source is invalid, 2 usage.

Why one module of ~400 lines: it is the one list of commands and their arguments, and each
command's body is a few lines handing plain values to the library; split per command, the
list a reader looks for would be scattered across files.
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
from .shipped import NotShipped

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2

#: which settings each command takes as flags (the Settings table holds their help and types)
COMMAND_SETTINGS: dict[str, tuple[str, ...]] = {
    "build": ("base", "data"),
    "validate": (),
    "serve": ("store", "backend", "host", "port", "workers", "threads", "query_timeout",
              "query_slots", "result_cap", "memory_quads", "sources", "public_url",
              "update_token", "max_body_bytes"),
    "query": (),
    "export": ("store",),
    "fetch": ("sources_cache", "sources_mirror", "fetch_timeout"),
    "release": ("store",),
    "publish": ("store", "engine"),
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
    e.add_argument("--format", choices=("ttl", "nt", "nq", "jsonld", "jsonl", "geojson"),
                   required=True)
    e.add_argument("--frame", choices=("city",), default=None,
                   help="with --format jsonl or geojson: the framed class (city)")
    e.add_argument("--out", type=Path, default=None, help="output file (default: stdout)")
    _add_settings(e, COMMAND_SETTINGS["export"])

    g = sub.add_parser("gold-scores", help="score mentions and themes on the gold sets "
                                            "(development beside held-out)")
    g.add_argument("corpus", nargs="?", type=Path, default=None,
                   help="the uccn-profiles JSON corpus (default: found like build's sources)")
    g.add_argument("--cv", action="store_true",
                   help="named mentions only: k-fold cross-validation by profile over every "
                        "gold profile, the rules alone beside the rules + a model trained "
                        "on the other folds, and the profiles held out last apart")
    g.add_argument("--folds", type=int, default=5, help="with --cv: how many folds (5)")
    g.add_argument("--by-field", action="store_true",
                   help="with --cv: leave one creative field out per fold instead")

    x = sub.add_parser("explain-mention", help="the named mentions of a text and the rule "
                                                "that found each")
    x.add_argument("text", help="the text, or @FILE to read it from a file")

    f = sub.add_parser("fetch", help="download the public sources pinned in data/sources.csv")
    f.add_argument("--check", action="store_true",
                   help="download nothing: say where each source is found (exit 1 when a "
                        "fetchable one is missing)")
    _add_settings(f, COMMAND_SETTINGS["fetch"])

    r = sub.add_parser("release", help="turn the live build into an immutable, citable release")
    r.add_argument("--name", required=True, help="the release's name, e.g. 2026.12")
    r.add_argument("--notes", type=Path, default=None, help="a Markdown file of release notes")
    _add_settings(r, COMMAND_SETTINGS["release"])

    pb = sub.add_parser("publish", help="load a release (or a validated build) into a running "
                                        "triplestore and verify it")
    pb.add_argument("--to", required=True, metavar="URL",
                    help="the engine's URL (Oxigraph: http://HOST:7878, Virtuoso: "
                         "http://HOST:8890); credentials from CCGRAPH_ENGINE_USER and "
                         "CCGRAPH_ENGINE_PASSWORD")
    pb.add_argument("--release", default=None, metavar="NAME",
                    help="publish release NAME of the build directory (default: the live "
                         "build, which must have validated)")
    pb.add_argument("--method", default=None,
                    help="how to load: oxigraph store (default: one transaction) or graphs; "
                         "virtuoso graphs")
    pb.add_argument("--check", action="store_true",
                    help="load nothing: only check that the engine holds exactly the release "
                         "(e.g. a database loaded by hand, before switching readers to it)")
    _add_settings(pb, COMMAND_SETTINGS["publish"])
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
        result = build(paths, settings.store, settings, args.members, _progress)
    except BuildFailed as failed:
        print(failed.report.text(), file=sys.stderr)
        print(f"build failed: {len(failed.report.violations)} violation(s); "
              f"{settings.store} was left as it was", file=sys.stderr)
        return EXIT_DATA
    except SourceError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        print(f"{settings.store} was left as it was", file=sys.stderr)
        return EXIT_DATA
    print(summary(result, settings.store))
    return EXIT_OK


def summary(result: Any, out: Path) -> str:
    from .gold_scores import PARTS

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
    gold = q.get("gold_scores", {})
    for part in PARTS:
        scores = gold.get(f"mentions_{part}")
        if scores:
            lines.append(f"named mentions ({part} gold): " + ", ".join(
                f"{kind} P {v['precision']:.2f} R {v['recall']:.2f}"
                for kind, v in scores.items() if isinstance(v, dict)))
        themes = gold.get(f"themes_{part}")
        if themes:
            lines.append(f"pledge themes ({part} gold): micro F1 {themes['micro_f1']:.2f}")
    if "pledges_with_theme_other" in q:
        lines.append(f"pledges given only the theme 'other': {q['pledges_with_theme_other']}")
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
    if args.format in ("jsonl", "geojson"):
        return _export_framed(args, settings.store)
    try:
        data = export(settings.store, args.format)
    except NoBuild as exc:
        print(f"export: {exc}", file=sys.stderr)
        return EXIT_DATA
    if args.out:
        args.out.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return EXIT_OK


def _export_framed(args: argparse.Namespace, store: Path) -> int:
    from .export import export_framed
    from .store import NoBuild

    frame = args.frame or "city"
    try:
        if args.out:
            with args.out.open("wb") as out:
                export_framed(store, args.format, frame, out)
        else:
            export_framed(store, args.format, frame, sys.stdout.buffer)
    except (NoBuild, ValueError) as exc:
        print(f"export: {exc}", file=sys.stderr)
        return EXIT_DATA
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
        release = make_release(settings.store, args.name, args.notes, _progress)
    except ReleaseError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return EXIT_DATA
    print(f"released {release.name} ({release.issued}): {release.quads} quads, "
          f"{len(release.files)} files in {release.path}")
    if release.previous:
        print(f"changes since {release.previous}: {release.path / 'CHANGES.md'}")
    return EXIT_OK


def cmd_publish(args: argparse.Namespace) -> int:
    from .engines import Credentials, PublishError, publish_to
    from .release import releases_dir

    settings = _settings(args)
    path = Path(settings.store)
    if args.release:
        path = releases_dir(path) / args.release
        if not path.is_dir():
            print(f"publish: no release {args.release} in {releases_dir(settings.store)} "
                  "(`ccgraph release --name NAME` makes one)", file=sys.stderr)
            return EXIT_DATA
    credentials = Credentials(settings.engine_user, settings.engine_password)
    try:
        done = publish_to(path, args.to, settings.engine, args.method, credentials,
                          _progress, check_only=args.check)
    except PublishError as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return EXIT_DATA
    if args.check:
        print(f"{done.engine} at {done.url} holds {done.source.kind} {done.source.name}; "
              f"{done.verification.summary()}")
        return EXIT_OK
    print(f"published {done.source.kind} {done.source.name} to {done.engine} at {done.url} "
          f"({done.method}) in {done.seconds_load:.1f} s; {done.verification.summary()}")
    return EXIT_OK


def cmd_gold_scores(args: argparse.Namespace) -> int:
    from .gold_scores import GoldError, format_report, gold_report

    corpus = args.corpus
    if corpus is None:
        found = [p for p in default_sources(_settings(args))
                 if p.name.startswith("uccn-profiles") and p.suffix == ".json"]
        if not found:
            print("ccgraph gold-scores: no uccn-profiles JSON corpus found; give its path "
                  "(`ccgraph fetch` downloads it)", file=sys.stderr)
            return EXIT_USAGE
        corpus = found[0]
    if not corpus.is_file():
        print(f"ccgraph gold-scores: {corpus}: no such file", file=sys.stderr)
        return EXIT_USAGE
    if args.cv and args.folds < 2:
        print("ccgraph gold-scores: --folds needs 2 or more", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.cv:
            from .extract.mention_cv import cv_report

            print(cv_report(corpus, args.folds, by_field=args.by_field))
        else:
            print(format_report(gold_report(corpus)))
    except (GoldError, SourceError) as exc:
        print(f"ccgraph gold-scores: {exc}", file=sys.stderr)
        return EXIT_DATA
    return EXIT_OK


def cmd_explain_mention(args: argparse.Namespace) -> int:
    from .extract.mentions import explain_mentions

    text = args.text
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            print(f"ccgraph explain-mention: cannot read {text[1:]}: {exc.strerror}",
                  file=sys.stderr)
            return EXIT_USAGE
    found = explain_mentions(text)
    if not found:
        print("no named mentions found")
    for mention, why in found:
        aliases = ", ".join(sorted({a.text for a in mention.aliases}))
        print(f"{mention.kind:<13} {mention.label!r} ({mention.subtype}) at "
              f"{mention.span.start}..{mention.span.end}"
              + (f"; aliases: {aliases}" if aliases else ""))
        print(f"    rule {mention.rule}: {why}")
    return EXIT_OK


COMMANDS = {"build": cmd_build, "validate": cmd_validate, "serve": cmd_serve,
            "query": cmd_query, "export": cmd_export, "fetch": cmd_fetch,
            "release": cmd_release, "publish": cmd_publish, "gold-scores": cmd_gold_scores,
            "explain-mention": cmd_explain_mention}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (ValueError, NotShipped) as exc:  # bad setting values, a stale install
        print(f"ccgraph {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
