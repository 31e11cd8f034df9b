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

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..iris import slugify
from ..records import Contact, Pledge, Profile, SourceError, Span

# --- white space and trimming -------------------------------------------------------------

_SPACE = frozenset(" \t\n\r\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
                   "\u2008\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff\u0085")
_BULLETS = frozenset("•●▪◦‣∙")
_LEAD_BULLET = frozenset("•●▪◦‣∙-*–")


def _is_space(ch: str) -> bool:
    return ch in _SPACE or ch.isspace()


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``start..end`` past white space on both sides."""
    while start < end and _is_space(text[start]):
        start += 1
    while end > start and _is_space(text[end - 1]):
        end -= 1
    return start, end


def make_span(text: str, start: int, end: int) -> Span | None:
    """A trimmed span of ``text``, or None when nothing but white space is left."""
    start, end = trim(text, start, end)
    if start >= end:
        return None
    return Span(start, end, text[start:end])


# --- headers ------------------------------------------------------------------------------

ABOUT, ADDED, MEMBER, REPORTS = "about", "added-value", "member-since", "monitoring-reports"

_HEADERS: dict[str, re.Pattern[str]] = {
    ABOUT: re.compile(r"About\s+the\s+Creative\s+City\s*:", re.IGNORECASE),
    ADDED: re.compile(r"(?<![A-Za-z])Added\s+[Vv]alue\s*:"),
    MEMBER: re.compile(r"(?<![A-Za-z])Member\s+since\s*:", re.IGNORECASE),
    REPORTS: re.compile(r"(?<![A-Za-z])Membership\s+Monitoring\s+Reports?\s*:", re.IGNORECASE),
}


@dataclass(frozen=True)
class _Header:
    kind: str
    start: int
    end: int


def _find_headers(text: str) -> list[_Header]:
    """The first occurrence of each header, in document order (later ones must follow)."""
    found: list[_Header] = []
    for kind, pattern in _HEADERS.items():
        m = pattern.search(text)
        if m:
            found.append(_Header(kind, m.start(), m.end()))
    found.sort(key=lambda h: h.start)
    return found


# --- the intro sentence -------------------------------------------------------------------

_VERBS = (r"envisages|envisage(?:\s+de)?|is\s+dedicated(?:\s+to)?|is\s+committed(?:\s+to)?"
          r"|intends\s+to|plans\s+to|aims\s+to|will|proposes\s+to|pledges\s+to"
          r"|the\s+following\s+steps\s+will\s+be\s+important")
_INTRO_HEAD = (r"(?:As|En\s+tant\s+que)\s+(?:an?\s+|une?\s+)?(?:UNESCO\s+)?"
               r"(?:Creative\s+City|City|Ville\s+cr[ée]ative)\s+(?:of|for|de|du|des|d')\s*"
               r"(?P<field>[^,:;.\n]{2,60}?)")
# With a comma after the field (all but one profile), the field is known exactly ...
_INTRO_COLON = re.compile(_INTRO_HEAD + r"\s*,(?P<rest>[^:;.\n]{0,150}?):")
_INTRO_VERB = re.compile(_INTRO_HEAD + r"\s*,(?P<rest>[^:;.\n]{0,150}?(?:" + _VERBS + r"))")
# ... without it, field and city cannot be told apart: both stay unknown.
_INTRO_BARE = re.compile(_INTRO_HEAD + r"(?P<rest>)[^,:;.\n]{0,150}?:")
_TRAILING_VERB = re.compile(r"(?:^|\s)(?:" + _VERBS + r")\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class _Intro:
    span: Span
    field: str | None
    city: str | None


def _find_intro(text: str, start: int, end: int) -> _Intro | None:
    """The last intro sentence in ``text[start:end]`` (the pledge list follows it)."""
    region = text[start:end]
    bare = False
    matches = list(_INTRO_COLON.finditer(region)) or list(_INTRO_VERB.finditer(region))
    if not matches:
        matches, bare = list(_INTRO_BARE.finditer(region)), True
    if not matches:
        return None
    m = matches[-1]
    span = make_span(text, start + m.start(), start + m.end())
    if span is None:  # pragma: no cover - the match starts with "As"/"En"
        return None
    if bare:
        return _Intro(span, None, None)
    field = " ".join(m.group("field").split())
    rest = " ".join(m.group("rest").split())
    subject = _TRAILING_VERB.sub("", rest).strip(" ,")
    city = subject if subject and not subject.lower().startswith("the following") else None
    return _Intro(span, field or None, city)


# --- the pledge list ----------------------------------------------------------------------

_SEPARATOR = re.compile(r";|[•●▪◦‣∙]|(?:^|\n)[ \t\u00a0]*[-*–](?=[ \t\u00a0])"
                        # a full stop glued to a lower-case gerund: a lost ";" (maybe)
                        r"|(?<=[^\W\d_]{2})\.(?=[ \u00a0]?[a-z][a-z-]{1,30}ing[\s\u00a0])")
_CONNECTOR = re.compile(r"(?:[Aa]nd|[Ee]t)(?=[\s\u00a0]|[A-Z]|[•●▪◦‣∙]|$)")
_GLUED_AND = re.compile(r"and(?=[a-z])(?!roid|ante|ean|es\b|ersen|erson)")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_ABBREVIATIONS = frozenset({"etc", "inc", "ltd", "co", "st", "no", "vs", "e.g", "i.e"})


@dataclass
class _Segment:
    start: int
    end: int
    bullet: bool  # a bullet precedes this segment
    after_semicolon: bool
    after_stop: bool = False  # only a full stop precedes it


def _strip_lead(text: str, start: int, end: int, after_semicolon: bool,
                form: str | None) -> int:
    """Move ``start`` past white space, bullets and a connector that belongs to the list."""
    while True:
        start, end = trim(text, start, end)
        if start < end and text[start] in _LEAD_BULLET and (
                text[start] in _BULLETS or start + 1 >= end or _is_space(text[start + 1])):
            start += 1
            continue
        if after_semicolon and start < end:
            m = _CONNECTOR.match(text, start, end)
            if m:
                start = m.end()
                after_semicolon = False
                continue
            if form is not None:
                m = _GLUED_AND.match(text, start, end)
                if m:
                    start = m.end()
                    after_semicolon = False
                    continue
        return start


def _strip_tail(text: str, start: int, end: int) -> int:
    """Move ``end`` back past white space, separators, a dangling "and" and one full stop."""
    while True:
        start, end = trim(text, start, end)
        if start < end and text[end - 1] in ";,":
            end -= 1
            continue
        if start < end and text[end - 1] in _BULLETS:
            end -= 1
            continue
        tail = text[max(start, end - 4):end]
        m = re.search(r"(?:^|[\s\u00a0])(?:and|et)$", tail)
        if m and end - start > 4:
            end -= len("and") if tail.endswith("and") else len("et")
            continue
        break
    if start < end and text[end - 1] == ".":
        words = _WORD.findall(text[max(start, end - 12):end - 1])
        if not (words and words[-1].lower() in _ABBREVIATIONS) and text[end - 2:end] != "..":
            end -= 1
            start, end = trim(text, start, end)
    return end


def _first_word(text: str, start: int, end: int) -> str:
    m = _WORD.match(text, start, end)
    return m.group(0) if m else ""


# -ing words that are never the verb of an item.
_NOT_GERUNDS = frozenset({
    "during", "according", "notwithstanding", "something", "nothing", "anything",
    "everything", "morning", "evening", "king", "thing", "spring", "string", "ceiling",
})
# Words that may stand before the verb of an item ("further promoting", "actively working").
_MODIFIERS = frozenset({"further", "also", "jointly", "then", "better", "more", "continue",
                        "continuously", "long-term", "together", "collectively"})


def _is_gerund(word: str) -> bool:
    return any(len(part) > 4 and part.endswith("ing") and part not in _NOT_GERUNDS
               for part in word.lower().split("-"))


def form_of(text: str, start: int, end: int) -> str:
    """The grammatical form of a list item: "to" (infinitive), "ing" (gerund) or "other"."""
    words = _WORD.findall(text[start:min(end, start + 80)])[:2]
    if not words:
        return "other"
    first = words[0].lower()
    if first == "to":
        return "to"
    if _is_gerund(words[0]):
        return "ing"
    if len(words) > 1 and (first.endswith("ly") or "-" in first or first in _MODIFIERS):
        if _is_gerund(words[1]):
            return "ing"
        if words[1].lower() == "to":
            return "to"
    return "other"


def _starts_item(text: str, start: int, end: int, form: str, capitalised: bool) -> bool:
    """Does the clause at ``start`` (after a ";") start a new item of the list?"""
    word = _first_word(text, start, end)
    if not word:
        return False
    if form != "other":
        return form_of(text, start, end) == form
    return word[0].isupper() == capitalised


def split_pledges(text: str, start: int, end: int) -> list[Span]:
    """Split the pledge list in ``text[start:end]`` into item spans (see module doc)."""
    segments: list[_Segment] = []
    cursor, bullet, semi, stop = start, False, False, False
    for m in _SEPARATOR.finditer(text, start, end):
        sep = m.group(0)
        if sep == "." and _WORD.findall(text[max(start, m.start() - 12):m.start()])[-1:] in (
                ["etc"], ["e.g"], ["i.e"]):
            continue  # an abbreviation, not a lost separator
        cut = m.end() if sep == "." else m.start()  # a full stop stays with its item
        if text[cursor:cut].strip(" \t\n\r\u00a0\u200b"):
            segments.append(_Segment(cursor, cut, bullet, semi, stop and not semi))
            bullet, semi, stop = False, False, False
        if sep == ";":
            semi = True
        elif sep == ".":
            stop = True
        else:
            bullet = True
        cursor = m.end()
    if text[cursor:end].strip(" \t\n\r\u00a0\u200b"):
        segments.append(_Segment(cursor, end, bullet, semi, stop and not semi))

    form, capitalised = "other", False
    items: list[_Segment] = []
    for seg in segments:
        s = _strip_lead(text, seg.start, seg.end, seg.after_semicolon, form if items else None)
        if s >= seg.end:  # nothing but white space, a bullet or a connector
            continue
        if not items:
            word = _first_word(text, s, seg.end)
            form = form_of(text, s, seg.end)
            capitalised = bool(word) and word[0].isupper()
            items.append(_Segment(s, seg.end, seg.bullet, seg.after_semicolon))
        elif seg.after_stop and not seg.bullet:
            # "….fostering …" in a lower-case gerund list: a new item; else one sentence more
            if form == "ing" and not capitalised and form_of(text, s, seg.end) == "ing":
                items.append(_Segment(s, seg.end, False, False))
            else:
                items[-1].end = seg.end
        elif seg.bullet or _starts_item(text, s, seg.end, form, capitalised):
            items.append(_Segment(s, seg.end, seg.bullet, seg.after_semicolon))
        else:
            items[-1].end = seg.end  # a ";" inside a sentence: keep it in the item
    spans: list[Span] = []
    for item in items:
        s = _strip_lead(text, item.start, item.end, False, None)
        e = _strip_tail(text, s, item.end)
        span = make_span(text, s, e)
        if span is not None and any(c.isalnum() for c in span.text):
            spans.append(span)
    return spans


# --- contact line, member since, monitoring reports ----------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_URL = re.compile(r"https?://[^\s<>\"]{1,2000}")


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = start
    while pos <= end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        out.append((pos, stop))
        if nl < 0:
            break
        pos = nl + 1
    return out


def _find_contact_line(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The first line in ``text[start:end]`` that holds an e-mail address."""
    for a, b in _lines(text, start, end):
        if _EMAIL.search(text, a, b):
            return a, b
    return None


def parse_contact(text: str, start: int, end: int) -> Contact | None:
    """``name, job title, department…, e-mail``: parts absent are None."""
    line = make_span(text, start, end)
    if line is None:
        return None
    email_m = None
    for m in _EMAIL.finditer(text, line.start, line.end):
        email_m = m
    email = make_span(text, email_m.start(), email_m.end()) if email_m else None
    body_end = email_m.start() if email_m else line.end
    commas = [i for i in range(line.start, body_end) if text[i] == ","]
    bounds = [line.start, *[c + 1 for c in commas]]
    stops = [*commas, body_end]
    parts = [make_span(text, a, b) for a, b in zip(bounds, stops, strict=True)]
    name = parts[0] if parts else None
    job = parts[1] if len(parts) > 1 else None
    department = None
    if len(parts) > 2:
        first = next((p for p in parts[2:] if p is not None), None)
        last = next((p for p in reversed(parts[2:]) if p is not None), None)
        if first is not None and last is not None:
            department = make_span(text, first.start, last.end)
    return Contact(line=line, name=name, job_title=job, department=department, email=email)


def parse_reports(text: str, start: int, end: int) -> list[Span]:
    """One span per monitoring report entry (a line, or a part of a line with a year)."""
    spans: list[Span] = []
    for a, b in _lines(text, start, end):
        line = text[a:b]
        if len(_YEAR.findall(_URL.sub("", line))) > 1:
            pos = a
            for m in re.finditer(r"[,;|]", line):
                part = make_span(text, pos, a + m.start())
                if part is not None:
                    spans.append(part)
                pos = a + m.end()
            part = make_span(text, pos, b)
            if part is not None:
                spans.append(part)
        else:
            part = make_span(text, a, b)
            if part is not None:
                spans.append(part)
    return spans


# --- the document -------------------------------------------------------------------------

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
    headers = _find_headers(text)
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
        intro = _find_intro(text, added_sec[0], added_sec[1])
    else:
        intro = _find_intro(text, 0, list_limit)
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
    contact_line = _find_contact_line(text, list_start, n) if list_start < n else None
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
        for a, b in _lines(text, *member_sec):
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
