"""The forms of a JSON-LD document and how a client asks for one.

JSON-LD 1.1 (§9, the ``application/ld+json`` registration) names forms with the ``profile``
media type parameter: ``http://www.w3.org/ns/json-ld#expanded``, ``#flattened``,
``#compacted`` and ``#framed``. A server may ignore profiles it does not know, but a range
``application/ld+json;profile=X`` with only unknown profiles does not match our JSON-LD: it is
left out of negotiation, so another acceptable type wins, and only when nothing else is
acceptable is the answer 406. ``?form=`` names a form directly.
"""

from __future__ import annotations

from dataclasses import dataclass

NS = "http://www.w3.org/ns/json-ld#"
#: form name -> profile IRI; ``framed`` is the default
FORMS: dict[str, str] = {name: NS + name for name in
                         ("framed", "expanded", "flattened", "compacted")}
DEFAULT = "framed"
#: profiles that say something about the document but name no form (we honour them all)
NEUTRAL = (NS + "context",)
JSONLD_TYPES = ("application/ld+json",)


@dataclass(frozen=True)
class Asked:
    accept: str | None  # the Accept header without the ranges we cannot serve
    form: str | None  # the form named by the preferred JSON-LD range, if any
    refused: bool  # every JSON-LD range named only unknown profiles, and nothing is left


def _params(item: str) -> tuple[str, dict[str, str], list[str]]:
    parts = [p.strip() for p in item.split(";")]
    params: dict[str, str] = {}
    for param in parts[1:]:
        key, _, value = param.partition("=")
        params[key.strip().lower()] = value.strip().strip('"')
    return parts[0].lower(), params, parts[1:]


def from_accept(accept: str | None) -> Asked:
    """Read the JSON-LD profiles of an ``Accept`` header."""
    if not accept or "profile" not in accept.lower():
        return Asked(accept, None, False)
    kept: list[str] = []
    form: str | None = None
    best = -1.0
    dropped = False
    for item in accept.split(","):
        if not item.strip():
            continue
        mtype, params, raw = _params(item)
        if mtype not in JSONLD_TYPES or "profile" not in params:
            kept.append(item)
            continue
        profiles = params["profile"].split()
        named = [name for name, iri in FORMS.items() if iri in profiles]
        known = bool(named) or any(p in NEUTRAL for p in profiles)
        if not known:
            dropped = True
            continue
        try:
            q = float(params.get("q", "1"))
        except ValueError:
            q = 0.0
        if named and q > best:
            best, form = q, named[0]
        # the range stays, without its profile (web/negotiate.py compares types only)
        kept.append(";".join([mtype, *(r for r in raw if not r.lower().startswith("profile"))]))
    filtered = ",".join(kept)
    return Asked(filtered, form, dropped and not filtered.strip())


def from_query(values: list[str]) -> str | None:
    """The form ``?form=`` names; ValueError for a name that is not one."""
    values = [v.strip().lower() for v in values if v.strip()]
    if not values:
        return None
    for value in values:
        if value in FORMS:
            return value
    raise ValueError(f"unknown form {', '.join(values)!r}: one of {', '.join(FORMS)}")
