"""Build benchmark: seconds per stage and peak memory, from Sapporo alone to 100x the network.

    .venv/bin/python bench/build_bench.py [--scales 1,10,100] [--sample-above 10] [--repeat 3]

Cases: ``sapporo`` (the seed profile), ``network-1x`` (every profile of the corpus and the
members table), and for each scale N > 1 ``network-Nx``: a synthetic network made of N
copies of the corpus and of the members table, copy k's cities renamed "{city} Copy{k}"
(also inside the profile text, so extraction finds the same things). Each case runs in a
fresh process (imports not counted in the stages) and reports:

* parse (read + extract), model, validate, publish: seconds, as ``ccgraph build`` times them
  (model includes the near-duplicate search, which runs on the real network only, in a
  forked process while the profiles are modelled: model counts the wait for it). The
  validation runs in a forked process while the data is published (build.validate_and_publish):
  validate is the time spent on it in the build process (the pyoxigraph copy its SPARQL
  targets are answered on, then the wait for the report once the data is written), publish
  the time spent publishing; their sum is the wall time of the two;
* peak resident memory of the build process, and of the forked validation process;
* the CPU seconds of each stage in the build process (every thread of it: on a loaded
  machine the wall seconds grow with the load, the CPU seconds much less);
* quads, profiles modelled, validation results.

Above ``--sample-above`` (default 10) copies the profile graphs are streamed: each is written
as N-Quads as soon as it is modelled, and only every k-th (k = N / sample-above) stays in
memory, to be validated with the shared graphs (ontology, vocabularies, curated, members):
the validated graph is about the size of the ``--sample-above`` network, and the output says
so. Parse, model and publish always cover the whole graph.
Results: bench/results/build-<time>/results.{json,md} and bench/results/latest-build.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOURCES = Path(os.environ.get("CCGRAPH_SOURCES", ROOT.parent / "shared" / "sources"))
CORPUS = "uccn-profiles-2024-10-01.json"


# ------------------------------------------------------------------ synthetic sources

def synthesize(scale: int, out: Path) -> tuple[Path, Path]:
    """``scale`` copies of the corpus and of the members table, cities renamed."""
    out.mkdir(parents=True, exist_ok=True)
    corpus = json.loads((SOURCES / CORPUS).read_text(encoding="utf-8"))
    records = corpus["0"]
    copied: dict[str, dict[str, str]] = {}
    n = 0
    for k in range(scale):
        for record in records.values():
            rec = dict(record)
            name = rec.get("City Name", "")
            if k and name and name != "City name not found":
                new = f"{name} Copy{k}"
                rec["City Name"] = new
                rec["Description"] = rec.get("Description", "").replace(name, new)
                rec["Link"] = rec.get("Link", "") + f"&copy={k}"
            copied[str(n)] = rec
            n += 1
    corpus_path = out / f"corpus-{scale}x.json"
    corpus_path.write_text(json.dumps({"0": copied}, ensure_ascii=False), encoding="utf-8")
    members_in = ROOT / "data" / "members.csv"
    members_path = out / f"members-{scale}x.csv"
    with members_in.open(encoding="utf-8", newline="") as src, \
            members_path.open("w", encoding="utf-8", newline="") as dst:
        reader = csv.DictReader(src)
        rows = list(reader)
        assert reader.fieldnames is not None
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        for k in range(scale):
            for row in rows:
                writer.writerow({**row, "city": f"{row['city']} Copy{k}" if k else row["city"]})
    return corpus_path, members_path


# ------------------------------------------------------------------ one case (child process)

def run_case(sources: list[Path], members: Path | None, out: Path,
             sample_every: int) -> dict[str, Any]:
    """One build, stage by stage. With ``sample_every`` > 1 the profile graphs are streamed:
    each is written as N-Quads as soon as it is modelled (build.assemble's profile_sink,
    publish.graph_nquads) and only every k-th stays in the rdflib dataset, to be validated;
    the published store and dumps hold every graph."""
    from rdflib import Graph, URIRef

    from ccgraph import build, publish
    from ccgraph.settings import Settings

    settings = Settings.load({"store": out})
    times, wall_mark = build._stage_timer()
    # the CPU seconds of each stage in this process (all its threads): on a loaded machine
    # the wall seconds grow with the load, these much less
    cpu: dict[str, float] = {}
    last_cpu = [time.process_time()]

    def mark(stage: str) -> None:
        now = time.process_time()
        cpu[stage] = cpu.get(stage, 0.0) + now - last_cpu[0]
        last_cpu[0] = now
        wall_mark(stage)
    chunks: list[bytes] = []
    seen = [0]

    def sink(name: URIRef, graph: Graph) -> bool:
        seen[0] += 1
        if seen[0] % sample_every == 1:
            return True  # kept: validated and published through the dataset
        data = publish.graph_nquads(name, graph)
        if data is None:
            return True
        chunks.append(data)
        return False

    # A synthetic network (its own members table) is N copies of the corpus: every pledge
    # would be a near-duplicate of its N - 1 copies, so that stage runs on real data only.
    assembled = build.assemble(sources, settings, members, mark=mark,
                               profile_sink=sink if sample_every > 1 else None,
                               near_duplicates=members is None)
    kept = assembled.quads()
    quads = kept + sum(c.count(b"\n") for c in chunks)
    mark("count")  # not a stage: reported apart
    # as `ccgraph build` does it: validation in a forked process while publishing
    meta, report = build.validate_and_publish(
        assembled, out, settings, lambda report: {"validation.txt": report.text()},
        sources=[str(s) for s in sources], extra={}, mark=mark, more_nquads=chunks)
    # VmHWM: this process's peak since exec (ru_maxrss would also count the parent's memory
    # before the exec, which Linux carries over)
    self_peak = next(int(line.split()[1]) * 1024 for line in
                     Path("/proc/self/status").read_text().splitlines()
                     if line.startswith("VmHWM:"))
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    # CPU seconds (user + sys) of this process and of its validation processes: on a loaded
    # machine the stage seconds above grow with the load, the CPU seconds much less
    own, kids = (resource.getrusage(who) for who in
                 (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    stages = {
        "parse": round(times.get("read", 0) + times.get("extract", 0), 2),
        "model": round(times.get("model", 0) + times.get("near-duplicates", 0), 3),
        "validate": times.get("validate", 0),
        "publish": times.get("publish", 0),
    }
    stage_cpu = {
        "parse": round(cpu.get("read", 0) + cpu.get("extract", 0), 2),
        "model": round(cpu.get("model", 0) + cpu.get("near-duplicates", 0), 2),
        "validate": round(cpu.get("validate", 0), 2),
        "publish": round(cpu.get("publish", 0), 2),
    }
    return {
        "stages": stages,
        "stage_cpu_seconds": stage_cpu,
        "total": round(sum(stages.values()), 2),
        "quads": quads,
        "triples": meta.extra.get("triples"),
        "profiles_modelled": assembled.quality.get("profiles_modelled"),
        "validation_results": len(report.results),
        "conforms": report.conforms,
        "validation": "sample" if sample_every > 1 else "full",
        "validated_sample": {"every_kth_profile_graph": sample_every, "quads": kept}
        if sample_every > 1 else None,
        "peak_rss_mb": round(self_peak / 2**20),
        "peak_rss_validation_child_mb": round(child_peak / 2**20),
        "cpu_seconds": {"build_process": round(own.ru_utime + own.ru_stime, 2),
                        "validation_processes": round(kids.ru_utime + kids.ru_stime, 2)},
        "load_average": os.getloadavg()[0],
    }


# ------------------------------------------------------------------ driver

def median_of(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The last result, with each stage, the total and the CPU seconds the median over
    ``results`` (every run kept under ``runs``)."""
    if len(results) == 1:
        return results[0]

    def median(values: list[float]) -> float:
        ordered = sorted(values)
        mid = len(ordered) // 2
        return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2

    out = dict(results[-1])
    out["stages"] = {stage: round(median([r["stages"][stage] for r in results]), 3)
                     for stage in results[-1]["stages"]}
    out["total"] = round(median([r["total"] for r in results]), 2)
    out["stage_cpu_seconds"] = {
        stage: round(median([r["stage_cpu_seconds"][stage] for r in results]), 2)
        for stage in results[-1]["stage_cpu_seconds"]}
    out["cpu_seconds"] = {k: round(median([r["cpu_seconds"][k] for r in results]), 2)
                          for k in results[-1]["cpu_seconds"]}
    out["load_average"] = median([r["load_average"] for r in results])
    out["runs"] = [{"stages": r["stages"], "total": r["total"],
                    "stage_cpu_seconds": r["stage_cpu_seconds"],
                    "cpu_seconds": r["cpu_seconds"], "load_average": r["load_average"]}
                   for r in results]
    return out


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    out = ["# ccgraph build benchmark", "",
           f"Run {report['started']} on {m['cpu']} ({m['cores']} cores), Python {m['python']}. "
           "Stage seconds as `ccgraph build` times them (imports excluded); parse = read + "
           "extract; validate and publish run side by side (validate: the build process's "
           "share). CPU s: user + system seconds of the build process (imports included) and "
           "of its validation processes; load: the 1-minute load average at the end. Peak "
           "memory: resident set of the build process (and of the forked validation "
           "process). Publish CPU s: CPU seconds of the build process in the publish stage "
           "(every thread of it).", "",
           "| case | quads | profiles | parse s | model s | validate s | publish s | total s "
           "| publish CPU s | CPU s (build + validation) | load | peak RSS MB | validation |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in report["cases"].items():
        if "error" in r:
            out.append(f"| {name} | – | – | – | – | – | – | – | – | – | – | – | "
                       f"failed: {r['error'][:80]} |")
            continue
        s = r["stages"]
        if "runs" in r:
            name = f"{name} (median of {len(r['runs'])})"
        how = r["validation"]
        if how == "sample":
            vs = r["validated_sample"]
            how = (f"sample: every {vs['every_kth_profile_graph']}th profile graph + shared "
                   f"graphs ({vs['quads']:,} quads)")
        cpu = r.get("cpu_seconds", {})
        out.append(f"| {name} | {r['quads']:,} | {r['profiles_modelled']} | {s['parse']} | "
                   f"{s['model']} | {s['validate']} | {s['publish']} | {r['total']} | "
                   f"{r.get('stage_cpu_seconds', {}).get('publish')} | "
                   f"{cpu.get('build_process')} + {cpu.get('validation_processes')} | "
                   f"{r.get('load_average', 0):.1f} | "
                   f"{r['peak_rss_mb']:,} (+{r['peak_rss_validation_child_mb']:,}) | {how} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--sample-above", type=int, default=10,
                        help="validate a sample when a case has more copies than this")
    parser.add_argument("--no-sapporo", action="store_true")
    parser.add_argument("--repeat", type=int, default=1,
                        help="build each case this many times (in turn: case 1, case 2, "
                             "case 1 ...) and report the median of each stage")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--sources", type=Path, nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--members", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sample-every", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--build-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:  # the child
        result = run_case(args.sources or [], args.members, args.build_out, args.sample_every)
        print("BUILDJSON " + json.dumps(result))
        return 0

    stamp = time.strftime("%Y%m%d-%H%M%S")
    run_dir = args.out / f"build-{stamp}"
    run_dir.mkdir(parents=True)
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    report: dict[str, Any] = {"started": stamp, "cases": {}, "machine": {
        "cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
        "platform": platform.platform()}}
    cases: list[tuple[str, list[Path], Path | None, int]] = []
    if not args.no_sapporo:
        cases.append(("sapporo", [SOURCES / "sapporo-profile.txt"], None, 1))
    for scale in (int(s) for s in args.scales.split(",") if s):
        if scale == 1:
            cases.append(("network-1x", [SOURCES], None, 1))
            continue
        corpus, table = synthesize(scale, run_dir / "synthetic")
        every = max(1, -(-scale // args.sample_above)) if scale > args.sample_above else 1
        cases.append((f"network-{scale}x", [corpus], table, every))
    runs: dict[str, list[dict[str, Any]]] = {}
    try:
        for name, sources, members_csv, every in cases * max(1, args.repeat):
            print(f"{name}: building", flush=True)
            cmd = [sys.executable, __file__, "--case", name, "--build-out",
                   str(run_dir / f"out-{name}"), "--sample-every", str(every), "--sources",
                   *map(str, sources)]
            if members_csv is not None:
                cmd += ["--members", str(members_csv)]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
            wall = round(time.perf_counter() - t0, 2)
            line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BUILDJSON ")),
                        None)
            if line is None:
                report["cases"][name] = {"error": (proc.stderr or proc.stdout)[-2000:],
                                         "returncode": proc.returncode}
                print(f"{name}: failed ({proc.returncode})\n{proc.stderr[-2000:]}", flush=True)
                continue
            result = json.loads(line[len("BUILDJSON "):])
            result["wall_seconds_with_imports"] = wall
            runs.setdefault(name, []).append(result)
            report["cases"][name] = median_of(runs[name])
            print(f"{name}: {json.dumps(result)}", flush=True)
            for path in (run_dir / f"out-{name}",):  # keep disk use bounded
                subprocess.run(["rm", "-rf", str(path)], check=False)
    finally:
        (run_dir / "results.json").write_text(json.dumps(report, indent=2))
        text = markdown(report)
        (run_dir / "results.md").write_text(text)
        (args.out / "latest-build.md").write_text(text)
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
