"""The seed profile (Sapporo) read into records: sections, pledges, contact, offsets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ccgraph.extract import read_profile_file, read_profile_text, read_sources
from ccgraph.records import Profile, SourceError, Span


def all_spans(profile: Profile) -> list[Span]:
    spans = [s for s in (profile.about, profile.intro, profile.member_since) if s is not None]
    spans += [p.span for p in profile.pledges]
    spans += profile.monitoring_reports
    if profile.contact is not None:
        c = profile.contact
        spans += [s for s in (c.line, c.name, c.job_title, c.department, c.email) if s]
    return spans


def bullet_items(text: str) -> list[str]:
    """An independent reading of the seed's list: the lines that start with a bullet,
    without the bullet, the list separators and the final full stop."""
    items = []
    for line in text.splitlines():
        stripped = line.strip(" \t\u00a0")
        if stripped.startswith("•"):
            item = stripped[1:].strip(" \u00a0")
            item = re.sub(r";(\s*and)?$", "", item).strip(" \u00a0")
            items.append(item.removesuffix("."))
    return items


@pytest.fixture(scope="module")
def seed(seed_profile: Path) -> Profile:
    return read_profile_file(seed_profile)


def test_city_field_and_document(seed: Profile, seed_profile: Path) -> None:
    assert seed.city == "Sapporo"
    assert seed.field == "media-arts"
    assert seed.text == seed_profile.read_text(encoding="utf-8")
    assert seed.source == str(seed_profile)
    assert seed.url is None and seed.retrieved is None


def test_every_span_matches_the_text(seed: Profile) -> None:
    spans = all_spans(seed)
    assert len(spans) >= 11
    for span in spans:
        span.check(seed.text)
        assert span.text == span.text.strip(), span
        assert span.text


def test_sections(seed: Profile) -> None:
    assert seed.about is not None and seed.intro is not None
    assert "Sapporo" in seed.about.text
    assert not seed.about.text.startswith("About")  # the header is not part of the section
    assert "Added Value" not in seed.about.text
    assert seed.intro.text.startswith("As a Creative City of Media Arts")
    assert seed.intro.text.endswith("envisages:")
    assert seed.about.end < seed.intro.start
    assert seed.member_since is None
    assert seed.monitoring_reports == []
    assert seed.warnings == []


def test_four_pledges_equal_the_bullet_items(seed: Profile) -> None:
    expected = bullet_items(seed.text)
    assert len(expected) == 4
    assert [p.span.text for p in seed.pledges] == expected
    assert [p.position for p in seed.pledges] == [1, 2, 3, 4]
    first, last = seed.pledges[0].span.text, seed.pledges[-1].span.text
    assert first.startswith("engaging in global exchange")
    assert "tourism" in last and last.endswith("industry")
    # pledge 1 holds two sentences: the full stop inside it does not split it
    assert first.count(". ") == 1
    for pledge in seed.pledges:
        assert not pledge.span.text.endswith((";", ".", "and"))
        assert "•" not in pledge.span.text


def test_contact_line(seed: Profile) -> None:
    contact = seed.contact
    assert contact is not None
    assert contact.name is not None and contact.name.text == "Sasaki Kazunori"
    assert contact.job_title is not None and contact.job_title.text == "Manager"
    assert contact.department is not None
    assert contact.department.text == "Project Coordination, Community & Cultural Promotion Bureau"
    assert contact.email is not None and contact.email.text == "creativecity@city.sapporo.jp"
    assert contact.line.start == contact.name.start and contact.line.end == contact.email.end
    assert seed.pledges[-1].span.end < contact.line.start


def test_corpus_record_yields_the_same_pledges(seed: Profile, corpus_path: Path) -> None:
    from ccgraph.extract import read_corpus

    record = next(p for p in read_corpus(corpus_path).profiles
                  if p.source.endswith("#319"))
    assert record.city == "Sapporo" and record.field == "media-arts"

    def norm(s: str) -> str:
        return " ".join(s.split())

    assert [norm(p.span.text) for p in record.pledges] == [
        norm(p.span.text) for p in seed.pledges]
    assert record.about is not None and record.intro is not None and seed.intro is not None
    assert record.intro.text == seed.intro.text


def test_read_sources_prefers_the_profile_file(seed_profile: Path, corpus_path: Path) -> None:
    result = read_sources([seed_profile, corpus_path])
    sapporo = [p for p in result.profiles if p.city == "Sapporo" and p.field == "media-arts"]
    assert [p.source for p in sapporo] == [str(seed_profile)]
    assert any(d.kept_source == str(seed_profile) and d.source.endswith("#319")
               for d in result.duplicates)


# --- the other parts of a profile file, on documents written for the test ----------------

DOC = """About the Creative City:
Testville is a made-up place used here to exercise the parser.

Added Value:
As a Creative City of Design, Testville envisages:
  • building a small studio; and
  • lending tools to makers.
Member since: 2019
Ann Example, Head of Unit, Office of Culture, Arts, and Heritage, ann@example.org
Membership Monitoring Reports:
2017: https://example.org/reports/2017.pdf
2021, 2023
"""


def test_member_since_contact_and_reports() -> None:
    p = read_profile_text(DOC, "doc.txt")
    for span in all_spans(p):
        span.check(DOC)
    assert (p.city, p.field) == ("Testville", "design")
    assert [x.span.text for x in p.pledges] == [
        "building a small studio", "lending tools to makers"]
    assert p.member_since is not None and p.member_since.text == "2019"
    assert p.contact is not None and p.contact.department is not None
    assert p.contact.department.text == "Office of Culture, Arts, and Heritage"
    assert p.contact.email is not None and p.contact.email.text == "ann@example.org"
    assert [r.text for r in p.monitoring_reports] == [
        "2017: https://example.org/reports/2017.pdf", "2021", "2023"]


def test_caller_city_and_field_win_and_no_city_is_an_error() -> None:
    p = read_profile_text(DOC, "doc.txt", city="Other Town", field="Crafts and Folk Art")
    assert (p.city, p.field) == ("Other Town", "crafts-and-folk-art")
    assert any(w.startswith("field-mismatch") for w in p.warnings)
    with pytest.raises(SourceError, match="which city"):
        read_profile_text("Some prose without any list.", "nameless.txt")


def test_semicolon_inside_an_item_does_not_split_it() -> None:
    text = ("As a Creative City of Music, Testville envisages:"
            "To host a festival; a week of free concerts in parks;"
            "To train teachers; and To open a library of scores.")
    p = read_profile_text(text, "t")
    assert [x.span.text for x in p.pledges] == [
        "To host a festival; a week of free concerts in parks",
        "To train teachers", "To open a library of scores"]
