"""Hostile input: anything but a SourceError is a bug; offsets are always valid; no hangs."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccgraph.extract import read_corpus, read_profile_text, read_sources
from ccgraph.records import Profile, SourceError, Span

# Pieces of profile structure, mixed with arbitrary text, reach the parser's corners.
TOKENS = [
    "About the Creative City:", "Added Value:", "Added value:", "Member since:",
    "Membership Monitoring Reports:", "As a Creative City of Media Arts, Testville envisages:",
    "As a Creative City of Design, these steps matter:",
    "As a Creative City of Film Testville envisages",
    "En tant que Ville créative de design, X envisage de :",
    ";", "; and", "andTo", "andmaking", "•", " • ", "\n- ", "\n", " ", "\u00a0", "\u200b", ".",
    "To do", "making", "Doing", "etc.", "e.g.", "a@b.co", "x, y, z@q.org", "2019",
    "https://e.org/a",
    "\r\n", ",", ":", "and", "et", "\ufeff",
]
documents = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=12)),
                     max_size=60).map("".join)
FAST = settings(max_examples=300, deadline=2000,
                suppress_health_check=[HealthCheck.too_slow])


def assert_valid(profile: Profile) -> None:
    text = profile.text
    spans: list[Span] = [s for s in (profile.about, profile.intro, profile.member_since) if s]
    spans += [p.span for p in profile.pledges] + profile.monitoring_reports
    if profile.contact is not None:
        c = profile.contact
        spans += [s for s in (c.line, c.name, c.job_title, c.department, c.email) if s]
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        span.check(text)
        assert not span.text[0].isspace() and not span.text[-1].isspace()
    assert [p.position for p in profile.pledges] == list(range(1, len(profile.pledges) + 1))
    starts = [p.span.start for p in profile.pledges]
    assert starts == sorted(starts)


@FAST
@given(documents)
def test_structured_noise_with_a_city(text: str) -> None:
    assert_valid(read_profile_text(text, "noise", city="Testville", field="Design"))


@FAST
@given(st.text(max_size=400))
def test_arbitrary_text_without_a_city(text: str) -> None:
    try:
        profile = read_profile_text(text, "noise")
    except SourceError as exc:
        assert "noise" in str(exc)
        return
    assert_valid(profile)


@FAST
@given(documents)
def test_noise_without_a_city(text: str) -> None:
    try:
        profile = read_profile_text(text, "noise")
    except SourceError:
        return
    assert profile.city.strip()
    assert_valid(profile)


def _read(name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            result = read_sources([path])
        except SourceError as exc:
            assert name in str(exc)
            return
        for profile in result.profiles:
            assert_valid(profile)


@FAST
@given(st.binary(max_size=300))
def test_arbitrary_bytes_as_a_profile_file(data: bytes) -> None:
    _read("profile.txt", data)


@FAST
@given(st.binary(max_size=300))
def test_arbitrary_bytes_as_a_corpus(data: bytes) -> None:
    _read("uccn-profiles-2024-10-01.json", data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | documents,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.one_of(st.sampled_from(["0", "1", "City Name", "Category", "Description", "Link"]),
                  st.text(max_size=4)), inner, max_size=5),
    max_leaves=20)
record = st.fixed_dictionaries({
    "City Name": st.one_of(st.text(max_size=10), st.just("City name not found")),
    "Category": st.sampled_from(["Design", "Media Arts", "City category not found", ""]),
    "Description": documents,
    "Link": st.one_of(st.text(max_size=20), st.just("https://e.org/c/x-0?hub=1")),
})
corpora = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(["0", "1"]),
                    st.dictionaries(st.integers(0, 20).map(str), record, max_size=6),
                    max_size=2))


@FAST
@given(corpora)
@pytest.mark.slow
def test_arbitrary_json_as_a_corpus(value: object) -> None:
    _read("uccn-profiles-2024-10-01.json", json.dumps(value).encode())


def test_pathological_inputs_finish() -> None:
    chunks = [";" * 50_000, "•" * 50_000, "As a Creative City of " * 5_000,
              "a@" * 50_000, "and" * 30_000, ("x" * 70 + ":") * 2_000, ".making " * 20_000,
              "As a Creative City of Design, X envisages:" + "To a; and" * 20_000]
    for chunk in chunks:
        began = time.perf_counter()
        assert_valid(read_profile_text(chunk, "big", city="X"))
        assert time.perf_counter() - began < 10, chunk[:20]


# --- clear errors that name the file, line or key --------------------------------------

def test_errors_name_the_place(tmp_path: Path) -> None:
    bad = tmp_path / "uccn-profiles-2024-10-01.json"
    bad.write_text('{"0": {\n"1": {"City Name": "X",\n}}}', encoding="utf-8")
    with pytest.raises(SourceError) as exc:
        read_corpus(bad)
    assert exc.value.line == 3 and str(bad) in str(exc.value) and exc.value.hint

    bad.write_text(json.dumps({"0": {"7": {"City Name": "X", "Category": "Film",
                                           "Link": ""}}}), encoding="utf-8")
    with pytest.raises(SourceError) as exc:
        read_corpus(bad)
    assert exc.value.field == "0/7/Description"

    bad.write_text(json.dumps({"0": {"7": {"City Name": 3, "Category": "Film",
                                           "Description": "", "Link": ""}}}), encoding="utf-8")
    with pytest.raises(SourceError, match="City Name"):
        read_corpus(bad)

    bad.write_text(json.dumps([1, 2]), encoding="utf-8")
    with pytest.raises(SourceError, match="top level"):
        read_corpus(bad)

    latin = tmp_path / "profile.txt"
    latin.write_bytes("About the Creative City:\nS\u00e3o\n".encode("latin-1"))
    with pytest.raises(SourceError, match="UTF-8") as exc:
        read_sources([latin])
    assert exc.value.line == 2

    with pytest.raises(SourceError, match="no such file"):
        read_sources([tmp_path / "missing.txt"])
    (tmp_path / "notes.md").write_text("x", encoding="utf-8")
    with pytest.raises(SourceError, match="unsupported"):
        read_sources([tmp_path / "notes.md"])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceError, match="no profile documents"):
        read_sources([empty])


def test_a_corpus_without_a_date_and_empty_records(tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps({"0": {
        "0": {"City Name": "Testville", "Category": "Film",
              "Description": "Prose. As a Creative City of Film, Testville envisages:"
                             "doing one thing; and doing another.",
              "Link": "https://example.org/c/testville?hub=9&lang=en"},
        "1": {"City Name": "", "Category": "Film", "Description": "x", "Link": ""},
    }}), encoding="utf-8")
    result = read_corpus(path)
    assert [p.city for p in result.profiles] == ["Testville"]
    p = result.profiles[0]
    assert p.retrieved is None and p.url == "https://example.org/c/testville?lang=en"
    assert [x.span.text for x in p.pledges] == ["doing one thing", "doing another"]
    assert [s.index for s in result.skipped] == [1] and "empty" in result.skipped[0].reason
