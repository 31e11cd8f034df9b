"""The seventh held-out gold set (round 7, docs/annotation.md): which profiles, and that its
files say only what the profiles' text bears out. Nothing here scores it: the rules run only on
copies of development files (the last test); the integrator scores the set once."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from ccgraph import shipped
from ccgraph.extract.mention_eval import KINDS, about_span, load_corpus, load_profiles
from ccgraph.extract.mentions import normalise_label
from ccgraph.gold_scores import (
    GOLD_DIR,
    THEME_BASE,
    format_report,
    format_summary,
    gold_report,
    load_theme_gold,
    mention_dir,
    summary,
    theme_csv,
)

CHECKOUT = Path(__file__).resolve().parents[1]
SET7 = mention_dir("heldout7")
THEMES7 = theme_csv("heldout7")


def _files() -> list[dict[str, object]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SET7.glob("*.json"))]


def _other_gold_indexes() -> set[int]:
    used = {int(json.loads(p.read_text(encoding="utf-8"))["index"])
            for p in (GOLD_DIR / "mentions").glob("*/*.json") if p.parent != SET7}
    for path in (GOLD_DIR / "themes").glob("*.csv"):
        if path != THEMES7:
            with path.open(encoding="utf-8", newline="") as handle:
                used |= {int(row["index"]) for row in csv.DictReader(handle)}
    return used


def test_the_set_is_every_profile_outside_the_other_gold_sets(
        corpus_path: Path, members_table: Path) -> None:
    """The pick (scripts/pick_heldout.py --round7) is every record no other gold set holds
    (but the broken one, the "-0" duplicates and texts repeating a gold text), as filed."""
    records = load_corpus(corpus_path)
    used = _other_gold_indexes()
    used_texts = {records[i]["Description"] for i in used if i in records}
    expected = {i for i, r in records.items()
                if i not in used and not r["Link"].endswith("-0")
                and "not found" not in r["City Name"] and r["Description"] not in used_texts}
    out = subprocess.run(
        [sys.executable, str(CHECKOUT / "scripts" / "pick_heldout.py"), str(corpus_path),
         str(members_table), str(mention_dir("development")), str(theme_csv("development")),
         "--round7"], capture_output=True, text=True, check=True, timeout=120).stdout
    picked = [line.split("\t") for line in out.splitlines()]
    assert {int(row[1]) for row in picked} == expected
    assert len(picked) == len(expected)
    with (SET7 / "selection.csv").open(encoding="utf-8", newline="") as handle:
        filed = [[row["order"], row["index"], row["field"], row["city"], row["country"],
                  row["note"]] for row in csv.DictReader(handle)]
    assert filed == picked
    assert {int(str(d["index"])) for d in _files()} == expected


def test_every_name_is_written_in_the_about_text(corpus_path: Path) -> None:
    records = load_corpus(corpus_path)
    profiles = load_profiles(corpus_path)
    for path in sorted(SET7.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        index = int(data["index"])
        assert path.name.startswith(f"{index:03d}-"), path.name
        assert records[index]["City Name"] == data["city"], path.name
        assert records[index]["Category"] == data["field"], path.name
        profile = profiles[index]
        about = normalise_label((profile.about or about_span(profile.text)).text)
        labels = [item["label"] for item in data["mentions"]]
        assert len(labels) == len(set(labels)), path.name
        for item in data["mentions"]:
            assert item["kind"] in KINDS, (path.name, item)
            for name in [item["label"], *item.get("aliases", [])]:
                assert normalise_label(name) in about, (path.name, name)


def test_theme_rows_find_their_pledges(corpus_path: Path) -> None:
    """Every row names one pledge of a profile of the set, with themes of the vocabulary; at
    least 12 profiles, each with all its pledges."""
    profiles = load_profiles(corpus_path)
    gold = load_theme_gold(THEMES7, profiles)
    with THEMES7.open(encoding="utf-8", newline="") as handle:
        assert {row["set"] for row in csv.DictReader(handle)} == {"held-out-7"}
    vocab = Graph().parse(shipped.vocab() / "themes.ttl")
    slugs = {str(c).removeprefix(THEME_BASE) for c in vocab.subjects(RDF.type, SKOS.Concept)}
    indexes = {row.index for row in gold}
    assert indexes <= {int(str(d["index"])) for d in _files()}
    assert len(indexes) >= 12
    for row in gold:
        assert row.themes and row.themes <= slugs, row
    for index in indexes:
        positions = sorted(row.position for row in gold if row.index == index)
        assert positions == sorted(p.position for p in profiles[index].pledges), index


def test_the_report_gives_every_part_apart(tmp_path: Path, corpus_path: Path) -> None:
    """gold_report reads heldout7 as a part of its own, beside development and held-out (here
    over copies of development files, so that the seventh set itself is not scored)."""
    dev = sorted(mention_dir("development").glob("*.json"))
    with theme_csv("development").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    assert fields is not None
    for n, part in enumerate(("development", "heldout", "heldout7")):
        folder = tmp_path / "mentions" / part
        folder.mkdir(parents=True)
        for path in dev[2 * n:2 * n + 2]:
            shutil.copy(path, folder / path.name)
        (tmp_path / "themes").mkdir(exist_ok=True)
        with (tmp_path / "themes" / f"{part}.csv").open("w", encoding="utf-8",
                                                          newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows[3 * n:3 * n + 3])
    report = gold_report(corpus_path, tmp_path)
    assert list(report["mentions"]) == ["development", "heldout", "heldout7"]
    assert list(report["themes"]) == ["development", "heldout", "heldout7"]
    assert all(report["mentions"][p]["profiles"] == 2 for p in report["mentions"])
    assert all(report["themes"][p]["pledges"] == 3 for p in report["themes"])
    text = format_report(report)
    assert "heldout7 (2 profiles)" in text and "heldout (2 profiles)" in text
    scores = summary(report)
    assert scores["mentions_heldout7"]["gold_profiles"] == 2
    assert scores["themes_heldout7"]["pledges"] == 3
    assert "heldout7 (2 profiles)" in format_summary(scores)
    shutil.rmtree(tmp_path / "mentions" / "heldout7")
    (tmp_path / "themes" / "heldout7.csv").unlink()
    left = gold_report(corpus_path, tmp_path)
    assert "heldout7" not in left["mentions"] and "heldout7" not in left["themes"]
