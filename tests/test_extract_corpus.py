"""The JSON corpus of 354 scraped profiles: records, skips, duplicates, pledge splitting."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ccgraph.extract import (
    CorpusResult,
    corpus_quality,
    format_quality,
    read_corpus,
    read_sources,
)
from ccgraph.iris import slugify
from ccgraph.records import Profile, Span


@pytest.fixture(scope="module")
def raw(corpus_path: Path) -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, dict[str, str]]] = json.loads(
        corpus_path.read_text(encoding="utf-8"))
    return data["0"]


@pytest.fixture(scope="module")
def corpus(corpus_path: Path) -> CorpusResult:
    return read_corpus(corpus_path)


def by_index(corpus: CorpusResult) -> dict[int, Profile]:
    return {int(p.source.rsplit("#", 1)[1]): p for p in corpus.profiles}


def spans_of(p: Profile) -> list[Span]:
    spans = [s for s in (p.about, p.intro, p.member_since) if s is not None]
    return spans + [x.span for x in p.pledges] + p.monitoring_reports


def test_records_skipped_and_duplicates(corpus: CorpusResult, raw: dict[str, Any],
                                        corpus_path: Path) -> None:
    assert corpus.records == len(raw) == 354
    # the broken record: skipped, with its index and a reason that says why
    assert [s.index for s in corpus.skipped] == [31]
    assert "not found" in corpus.skipped[0].reason
    assert corpus.skipped[0].source == f"{corpus_path}#31"
    # duplicates: same City Name and Category; the first record is kept
    dups = {(i, k) for i, k, _reason in corpus.duplicates}
    for i, k in dups:
        assert k < i
        assert raw[str(i)]["City Name"] == raw[str(k)]["City Name"]
        assert raw[str(i)]["Category"] == raw[str(k)]["Category"]
        assert raw[str(i)]["Link"].split("?")[0].endswith("-0")
    valencia = [int(k) for k, r in raw.items() if r["City Name"] == "Valencia"]
    assert (max(valencia), min(valencia)) in dups
    assert len(dups) == 3
    assert len(corpus.profiles) == 354 - 1 - 3
    # Granada appears twice, in two fields: not a duplicate
    granada = [p for p in corpus.profiles if p.city == "Granada"]
    assert sorted(str(p.field) for p in granada) == ["design", "literature"]


def test_profile_metadata(corpus: CorpusResult, raw: dict[str, Any], corpus_path: Path) -> None:
    for index, p in by_index(corpus).items():
        record = raw[str(index)]
        assert p.source == f"{corpus_path}#{index}"
        assert p.text == record["Description"]
        assert p.city == record["City Name"]  # as given: "Come" stays "Come"
        assert p.field == slugify(record["Category"])
        assert p.url is not None and "?" not in p.url and "hub=" not in p.url
        assert record["Link"].startswith(p.url)
        assert p.retrieved == date(2024, 10, 1)
    assert any(p.city == "Come" for p in corpus.profiles)


def test_every_span_of_every_profile_matches(corpus: CorpusResult) -> None:
    checked = 0
    for p in corpus.profiles:
        for span in spans_of(p):
            span.check(p.text)
            assert span.text and span.text == span.text.strip(" \t\n\u00a0\u200b")
            checked += 1
    assert checked > 2000


def test_pledges_are_found_in_nearly_every_profile(corpus: CorpusResult) -> None:
    with_pledges = [p for p in corpus.profiles if p.pledges]
    assert len(with_pledges) / len(corpus.profiles) >= 0.95
    for p in corpus.profiles:
        assert [x.position for x in p.pledges] == list(range(1, len(p.pledges) + 1))
        assert p.intro is None or all(x.span.start >= p.intro.end for x in p.pledges)


BULLETS = "•●▪◦‣∙"


def _form(text: str) -> str:
    words = re.findall(r"[^\W\d_][\w’'-]*", text)[:2]
    if not words:
        return "other"
    if words[0].lower() == "to":
        return "to"
    if any(w.lower().split("-")[-1].endswith("ing") for w in words):
        return "ing"
    return "other"


def test_pledges_follow_the_list_structure(corpus: CorpusResult) -> None:
    """Each pledge begins right after the intro, a bullet, a ";" or a ";"+"and", and ends
    right before a ";", a bullet or the end of the list: no item cut mid-sentence."""
    for p in corpus.profiles:
        text = p.text
        for n, pledge in enumerate(p.pledges):
            span = pledge.span
            assert not span.text.startswith((*BULLETS, ";", "and ", "And "))
            assert not span.text.endswith((";", ",", " and", *BULLETS))
            before = text[:span.start].rstrip(" \u00a0\t\n-–" + BULLETS)
            before = re.sub(r";[\s\u00a0" + BULLETS + r"]*(?:and|et)$", ";", before)
            if n == 0:
                assert p.intro is not None and before.endswith(p.intro.text), p.source
            else:
                assert before.endswith((";", ".")) or text[:span.start].rstrip()[-1] in BULLETS, (
                    p.source, text[span.start - 20:span.start + 20])
            after = text[span.end:].lstrip(" \u00a0\t\n")
            if n + 1 < len(p.pledges):
                assert after.startswith((";", ".", *BULLETS)), (
                    p.source, text[span.end:span.end + 20])
            else:
                assert after.strip(" \u00a0\t\n.;") == "", (p.source, after[:40])


def test_no_pledge_is_a_split_sentence(corpus: CorpusResult) -> None:
    """A pledge starting in lower case in a capitalised list must itself be an item (of the
    list's verb form, after "; and"), never the tail of a sentence cut at a ";"."""
    for p in corpus.profiles:
        if not p.pledges:
            continue
        first = p.pledges[0].span.text
        capitalised = first[0].isupper()
        form = _form(first)
        for pledge in p.pledges[1:]:
            t = pledge.span.text
            assert t.strip()
            if form != "other":
                assert _form(t) == form, (p.source, t[:60])
            if capitalised and t[0].islower():
                assert _form(t) == form, (p.source, t[:60])


def test_glued_and_bullets_and_semicolons(corpus: CorpusResult, raw: dict[str, Any]) -> None:
    """'andTo', '•' and ';' separate items; the glued connector is not part of a pledge."""
    profiles = by_index(corpus)
    glued = [i for i, p in profiles.items() if re.search(r";\s*and[A-Z]", p.text)]
    assert len(glued) > 20
    for i in glued:
        texts = [x.span.text for x in profiles[i].pledges]
        assert not any(re.search(r";\s*and[A-Z]", t) for t in texts)
        assert not any(t.startswith("and") for t in texts)
    bulleted = [i for i, p in profiles.items()
                if p.intro is not None and "•" in p.text[p.intro.end:]]
    assert len(bulleted) > 10
    for i in bulleted:
        p = profiles[i]
        assert p.intro is not None
        bullets = p.text[p.intro.end:].count("•")
        assert len(p.pledges) >= bullets, (i, p.city)
        assert not any("•" in x.span.text for x in p.pledges)
    # hand-checked examples: a "To …" list glued with "andTo" (Ashgabat, record 0), a bulleted
    # list (Whanganui, 59), a French list with "; et" (Kolding, 218), an intro without its
    # colon (Shenzhen, 343), a gerund list glued with "andapplying" (Sapporo, 319)
    ashgabat = profiles[0]
    assert len(ashgabat.pledges) == raw["0"]["Description"].count(";") + 1 == 4
    assert all(x.span.text.startswith("To ") for x in ashgabat.pledges)
    whanganui = profiles[59]
    assert len(whanganui.pledges) == whanganui.text.count("•") == 6
    kolding = profiles[218]
    assert len(kolding.pledges) == 6 and kolding.pledges[-1].span.text.startswith("Organiser")
    shenzhen = profiles[343]
    assert shenzhen.intro is not None and shenzhen.intro.text.endswith("envisages")
    assert len(shenzhen.pledges) == 3
    assert shenzhen.pledges[0].span.text.startswith("organizing")
    assert profiles[319].pledges[-1].span.text.startswith("applying")


def test_quality_report(corpus: CorpusResult, seed_profile: Path, corpus_path: Path) -> None:
    q = corpus_quality(corpus)
    assert q["documents_read"] == 354
    assert q["profiles_parsed"] == len(corpus.profiles)
    assert len(q["profiles_skipped"]) == 1 and len(q["profiles_collapsed"]) == 3
    pledges = q["pledges"]
    assert sum(pledges["histogram"].values()) == len(corpus.profiles)
    assert pledges["total"] == sum(len(p.pledges) for p in corpus.profiles)
    assert pledges["min"] <= pledges["median"] <= pledges["max"]
    assert pledges["share_with_pledges"] >= 0.95
    assert q["profiles_without_pledges"] == [p.city for p in corpus.profiles if not p.pledges]
    assert q["profiles_without_about_header"] > 200
    json.dumps(q)  # serialisable for the build report
    text = format_quality(q)
    assert "histogram" in text and "skipped" in text
    print(text)  # the distribution, visible with pytest -s

    whole = read_sources([seed_profile, corpus_path])
    qw = whole.quality()
    assert qw["documents_read"] == 355
    assert qw["profiles_parsed"] == len(corpus.profiles)  # the seed replaces record 319
