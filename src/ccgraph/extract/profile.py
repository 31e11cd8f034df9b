"""Parse one profile document into a :class:`~ccgraph.records.Profile` with exact offsets.

A document is either a whole profile file (the seed, with headers on their own lines and a
contact line) or one Description of the JSON corpus (headers run into the prose, or missing).
One parser reads both: it finds the section headers it can, then the intro sentence
("As a Creative City of <Field>, <City> envisages:"), then splits the pledge list after it.

Span conventions (every span satisfies ``span.text == text[span.start:span.end]``):

- every span is trimmed of surrounding white space (including no-break and zero-width
  spaces);
- ``about``: the prose of "About the Creative City:" without the header; when the header is
  missing, the prose before the "Added Value" header or the intro sentence;
- ``intro``: from "As" up to and including the colon (or up to the verb when the colon is
  missing, e.g. "envisages" glued to the first pledge);
- a pledge covers one list item: from its first word to its last character, without the list
  structure around it, i.e. without a leading bullet ("•", "-", "*"), without a leading
  connector "and"/"et" that follows a ";" (also when glued: "andTo", "andapplying"), without
  the separator ";" / "; and" that ends it, and without one final full stop (the full stop
  that closes the list, or closes a bulleted item). Full stops inside an item are kept: an
  item may hold several sentences. A ";" that does not start a new item (the next clause does
  not have the grammatical form of the list's items) stays inside the pledge;
- ``member_since``: the value after "Member since:" (None when empty);
- ``contact``: the line holding an e-mail address after the pledges; ``name`` is the part
  before the first comma, ``job_title`` the second part, ``department`` everything between
  the job title and the e-mail (it may contain commas), ``email`` the address;
- ``monitoring_reports``: one span per entry (line, or comma/semicolon separated entry when a
  line lists several years) after "Membership Monitoring Reports:".

Item form ("grammar of the list"): the first item decides. If it starts with "To" (an
infinitive), a new item starts with "to"; if it starts with an -ing word, possibly after a
modifier ("further promoting", "actively pursuing", "long-term strengthening"), a new item
starts the same way; otherwise (e.g. French infinitives) a new item starts with a letter of
the same case as the first item. A bullet always starts a new item. A clause after ";" that
does not have the list's form continues the item before (e.g. "…the Forum; a platform for
…"). In a lower-case gerund list, a full stop glued to the next gerund ("…Arabic.fostering")
is taken as a lost separator. The last item runs to the end of the list's section: sentences
that follow it stay in it, since the source marks no boundary there.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..iris import slugify
from ..records import Pledge, Profile, SourceError
from .pledges import split_pledges
from .sections import (
    ABOUT,
    ADDED,
    MEMBER,
    REPORTS,
    find_contact_line,
    find_headers,
    find_intro,
    lines_of,
    parse_contact,
    parse_reports,
)
from .spans import make_span


def _field_slug(name: str | None) -> str | None:
    if name is None:
        return None
    try:
        return slugify(name)
    except ValueError:
        return None


def _loose(slug: str) -> str:
    """A slug without plural endings: "crafts-and-folk-arts" ~ "craft-and-folk-art"."""
    return "-".join(part.removesuffix("s") for part in slug.split("-"))


def read_profile_text(text: str, source: str, city: str | None = None,
                      field: str | None = None, url: str | None = None,
                      retrieved: date | None = None) -> Profile:
    """Parse one profile document. ``city``/``field`` given by the caller win over the intro.

    Raises SourceError when the city cannot be told (none given and no intro sentence names
    one).
    """
    if not isinstance(text, str):
        raise SourceError(source, f"a profile must be text, not {type(text).__name__}")
    warnings: list[str] = []
    headers = find_headers(text)
    n = len(text)

    def section(kind: str) -> tuple[int, int] | None:
        for i, h in enumerate(headers):
            if h.kind == kind:
                stop = headers[i + 1].start if i + 1 < len(headers) else n
                return h.end, stop
        return None

    about_sec, added_sec = section(ABOUT), section(ADDED)
    member_sec, reports_sec = section(MEMBER), section(REPORTS)
    tail_headers = [h.start for h in headers if h.kind in (MEMBER, REPORTS)]
    list_limit = min(tail_headers) if tail_headers else n

    # The intro: inside "Added Value:" when there is one, else anywhere before the tail.
    if added_sec is not None:
        intro = find_intro(text, added_sec[0], added_sec[1])
    else:
        intro = find_intro(text, 0, list_limit)
        if intro is not None and about_sec is not None and intro.span.start < about_sec[0]:
            intro = None

    # The pledge list: after the intro (or the header) up to the next section or contact.
    if intro is not None:
        list_start = intro.span.end
        list_end = added_sec[1] if added_sec is not None else list_limit
    elif added_sec is not None:
        list_start, list_end = added_sec
        warnings.append("no-intro: no 'As a Creative City of …' sentence after 'Added Value:'")
    else:
        list_start = list_end = n
        warnings.append("no-pledge-list: neither an 'Added Value:' header nor an intro sentence")
    contact_line = find_contact_line(text, list_start, n) if list_start < n else None
    if contact_line is not None and contact_line[0] < list_end:
        list_end = contact_line[0]
    pledges = [Pledge(i, s) for i, s in enumerate(split_pledges(text, list_start, list_end), 1)]
    if intro is not None and not pledges:
        warnings.append("no-pledges: the intro sentence is not followed by a list")

    # About: the header's section, or the prose before the pledges.
    if about_sec is not None:
        about_end = about_sec[1]
        if intro is not None and about_sec[0] <= intro.span.start < about_end:
            about_end = intro.span.start
        about = make_span(text, about_sec[0], about_end)
    else:
        stops = [h.start for h in headers] + ([intro.span.start] if intro else [])
        about = make_span(text, 0, min(stops) if stops else n)
        warnings.append("no-about-header: the prose before the pledges is taken as 'About'")

    member_since = None
    if member_sec is not None:
        for a, b in lines_of(text, *member_sec):
            if contact_line is not None and a <= contact_line[0] < max(b, a + 1):
                continue
            member_since = make_span(text, a, b)
            if member_since is not None:
                break
    contact = parse_contact(text, *contact_line) if contact_line is not None else None
    reports = parse_reports(text, *reports_sec) if reports_sec is not None else []

    name = city.strip() if city is not None and city.strip() else None
    if name is None and intro is not None:
        name = intro.city
    if name is None:
        raise SourceError(source, "cannot tell which city this profile describes",
                          hint="the document needs an intro sentence "
                               "'As a Creative City of <Field>, <City> envisages:', "
                               "or the caller must pass the city")
    slug = _field_slug(field) if field is not None else None
    intro_slug = _field_slug(intro.field) if intro is not None else None
    if slug is None:
        slug = intro_slug
    elif intro_slug is not None and _loose(intro_slug) != _loose(slug):
        warnings.append(f"field-mismatch: intro says {intro_slug!r}, source says {slug!r}")

    return Profile(source=source, text=text, city=name, field=slug, url=url,
                   retrieved=retrieved, about=about,
                   intro=intro.span if intro is not None else None, pledges=pledges,
                   member_since=member_since, contact=contact, monitoring_reports=reports,
                   warnings=warnings)


def read_text_file(path: Path) -> str:
    """The content of a text file as str; SourceError when unreadable or not UTF-8."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(str(path), "file not found", hint="check the path") from None
    except IsADirectoryError:
        raise SourceError(str(path), "is a directory, not a file") from None
    except OSError as exc:
        raise SourceError(str(path), f"cannot read: {exc.strerror or exc}",
                          hint="check the file's permissions") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SourceError(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                          line=line, hint="save the file as UTF-8") from None
    return text


def read_profile_file(path: Path) -> Profile:
    """A profile .txt file: the whole content is the document text."""
    path = Path(path)
    text = read_text_file(path)
    if "\x00" in text:
        raise SourceError(str(path), "contains NUL characters: not a text file",
                          hint="pass profile documents as UTF-8 text")
    return read_profile_text(text, str(path))
