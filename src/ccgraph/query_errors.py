"""Query errors for people: an undeclared prefix, and the parser's syntax errors, said in a
few readable lines (where, what it expected) instead of the grammar's character classes.

pyoxigraph reports ``error at LINE:COLUMN: expected one of X, Y, …``, where the list may
hold whole Unicode ranges (``['A' ..= 'Z' | '\\u{00C0}'..='\\u{00D6}' | …]``). Those are
dropped; keywords and punctuation are kept, a handful at most.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

#: at most this many expected tokens are named
MAX_EXPECTED = 8
_WHERE = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.DOTALL)


def undeclared_prefix(prefix: str, known: Iterable[str]) -> str:
    """The message for a prefixed name whose prefix nobody declared."""
    names = sorted(set(known))
    close = difflib.get_close_matches(prefix, names, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]}:?" if close else ""
    listed = ", ".join(f"{n}:" for n in names)
    return (f"prefix {prefix}: is not declared{hint}\n"
            f"Declare it with a line PREFIX {prefix}: <…> before the query, or use a prefix "
            f"this endpoint declares: {listed}")


def _expected(rest: str) -> list[str]:
    """The keywords and punctuation of the parser's 'expected one of …' list."""
    text = rest.split("expected", 1)[1] if "expected" in rest else ""
    text = text.removeprefix(" one of").strip()
    text = re.sub(r"\[(?:[^\]'\"]|'[^']*'|\"[^\"]*\")*\]", "", text)  # character classes
    items = []
    for item in (part.strip() for part in text.split(", ")):
        if not item or item in ("Prefix not found", "<unreported>"):
            continue
        if len(item) >= 2 and item[0] == item[-1] == '"':
            item = item[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        if item not in items:
            items.append(item)
    return items


def syntax_error(query: str, message: str) -> str:
    """A parser error as a person reads it: line and column, the line itself with a caret,
    and what the parser expected there (a few tokens, no character ranges)."""
    found = _WHERE.match(message.strip())
    if found is None:
        first = message.strip().splitlines()[0] if message.strip() else "syntax error"
        return f"malformed query: {first[:300]}"
    line_no, column, rest = int(found.group(1)), int(found.group(2)), found.group(3)
    lines = query.splitlines() or [""]
    out = [f"malformed query at line {line_no}, column {column}"]
    expected = _expected(rest)
    if expected:
        more = len(expected) > MAX_EXPECTED
        named = ", ".join(expected[:MAX_EXPECTED]) + (", …" if more else "")
        out[0] += f": expected {'one of ' if len(expected) > 1 else ''}{named}"
    if 1 <= line_no <= len(lines):
        text = lines[line_no - 1]
        start = max(0, column - 60)
        out.append("  " + text[start:start + 120])
        out.append("  " + " " * (min(column, len(text) + 1) - 1 - start) + "^")
    return "\n".join(out)
