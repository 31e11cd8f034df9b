"""Typed records that flow from `extract` to `model`.

Every piece of text taken from a source carries its character offsets into the
document text, so that the model can publish evidence whose quote equals the span.
Offsets are Python string indices (Unicode code points), ``text == doc[start:end]``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str

    def check(self, document: str) -> None:
        """Raise ValueError unless this span's text is exactly ``document[start:end]``."""
        if document[self.start:self.end] != self.text:
            raise ValueError(f"span {self.start}..{self.end} does not match the document text")


@dataclass(frozen=True)
class Pledge:
    """One "Added Value" pledge, 1-based ``position`` in the order of the source."""

    position: int
    span: Span


@dataclass(frozen=True)
class Contact:
    """The contact line: ``name, job title, department…, e-mail``. Parts absent are None."""

    line: Span
    name: Span | None = None
    job_title: Span | None = None
    department: Span | None = None
    email: Span | None = None


@dataclass(frozen=True)
class Mention:
    """A named thing in the "About" text: ``kind`` is facility, event or organisation."""

    kind: str
    label: str
    span: Span
    subtype: str | None = None  # e.g. "museum", "concert-hall", "festival", "university"
    rule: str = "head"  # the extraction rule that found it (see extract/mentions.py)
    #: other words the text uses for the same thing (an acronym in parentheses, a
    #: translation, a later short form), each at one place of the text
    aliases: tuple[Span, ...] = ()


@dataclass
class Profile:
    """One city profile as read from a source document.

    ``text`` is the whole document as published (the .txt file's content, or a JSON
    record's Description); every Span points into it. ``field`` is a field slug
    (``media-arts``) or None when the source does not say. Sections that are empty
    in the source (the seed's "Member since:") are None, never invented.
    """

    source: str  # the file path, and for a JSON corpus "path#index"
    text: str
    city: str
    field: str | None
    url: str | None = None
    retrieved: date | None = None
    about: Span | None = None
    intro: Span | None = None  # "As a Creative City of …, X envisages:"
    pledges: list[Pledge] = dataclasses.field(default_factory=list)
    member_since: Span | None = None
    contact: Contact | None = None
    monitoring_reports: list[Span] = dataclasses.field(default_factory=list)
    mentions: list[Mention] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)


class SourceError(ValueError):
    """A source that cannot be read: names the file, and the line or field when known."""

    def __init__(self, source: str, message: str, line: int | None = None,
                 field: str | None = None, hint: str | None = None) -> None:
        self.source = source
        self.line = line
        self.field = field
        self.hint = hint
        where = source
        if line is not None:
            where += f":{line}"
        if field is not None:
            where += f" [{field}]"
        text = f"{where}: {message}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)
