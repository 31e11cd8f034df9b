"""The "all statements" part of a special page: the generic description of the resource."""

from __future__ import annotations

from typing import Any

from .. import negotiate
from ..resources import Description, arranged
from ..state import state


def statements(iri: str, desc: Description) -> dict[str, Any]:
    """The generic description, for the "all statements" part of a special page."""
    path = "/doc/" + iri[len(state().base) + 3:]
    return {**arranged(desc.triples, desc.subjects, desc.inbound),
            "alternates": negotiate.alternates(path), "iri": iri}
