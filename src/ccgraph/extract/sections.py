"""The parts of a profile document around its pledges: the section headers ("About the
Creative City:", "Added Value:", "Member since:", "Membership Monitoring Reports:"), the
intro sentence ("As a Creative City of <Field>, <City> envisages:"), the contact line and
the monitoring reports. See profile.py for what each span covers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..records import Contact, Span
from .spans import make_span

ABOUT, ADDED, MEMBER, REPORTS = "about", "added-value", "member-since", "monitoring-reports"

_HEADERS: dict[str, re.Pattern[str]] = {
    ABOUT: re.compile(r"About\s+the\s+Creative\s+City\s*:", re.IGNORECASE),
    ADDED: re.compile(r"(?<![A-Za-z])Added\s+[Vv]alue\s*:"),
    MEMBER: re.compile(r"(?<![A-Za-z])Member\s+since\s*:", re.IGNORECASE),
    REPORTS: re.compile(r"(?<![A-Za-z])Membership\s+Monitoring\s+Reports?\s*:", re.IGNORECASE),
}


@dataclass(frozen=True)
class Header:
    kind: str
    start: int
    end: int


def find_headers(text: str) -> list[Header]:
    """The first occurrence of each header, in document order (later ones must follow)."""
    found: list[Header] = []
    for kind, pattern in _HEADERS.items():
        m = pattern.search(text)
        if m:
            found.append(Header(kind, m.start(), m.end()))
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
class Intro:
    span: Span
    field: str | None
    city: str | None


def find_intro(text: str, start: int, end: int) -> Intro | None:
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
        return Intro(span, None, None)
    field = " ".join(m.group("field").split())
    rest = " ".join(m.group("rest").split())
    subject = _TRAILING_VERB.sub("", rest).strip(" ,")
    city = subject if subject and not subject.lower().startswith("the following") else None
    return Intro(span, field or None, city)


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_URL = re.compile(r"https?://[^\s<>\"]{1,2000}")


def lines_of(text: str, start: int, end: int) -> list[tuple[int, int]]:
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


def find_contact_line(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The first line in ``text[start:end]`` that holds an e-mail address."""
    for a, b in lines_of(text, start, end):
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
    for a, b in lines_of(text, start, end):
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
