"""JSON-LD for web developers: the versioned context of plain terms (``context-v1.jsonld``),
one frame per class (``frames/``), and documents built from a resource's description.

The context file is committed and served as it is at ``/context/v1.jsonld`` (and
``/context.jsonld``): its bytes never change once released; a new version gets a new file.
Framed documents are built here in Python from the description's triples (no JSON-LD
processor runs in a request); expanding one with any JSON-LD 1.1 processor gives exactly the
description's triples. The frames are for people who frame the flat forms themselves.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

#: where the versioned context lives, relative to the base (and to the server's root)
CONTEXT_PATH = "context/v1.jsonld"
#: the current context's path (an alias of the latest version)
CURRENT_CONTEXT_PATH = "context.jsonld"
#: the classes that have a frame, by frame name
FRAMES = ("city", "field", "facility", "event", "creator", "pledge", "profile", "dataset")


def context_url(base: str) -> str:
    return base + CONTEXT_PATH


@cache
def context_bytes() -> bytes:
    """The committed context file, byte for byte."""
    return (resources.files(__package__) / "context-v1.jsonld").read_bytes()


@cache
def context_object() -> dict[str, Any]:
    """The context's ``@context`` value."""
    data = json.loads(context_bytes())
    value: dict[str, Any] = data["@context"]
    return value


def frame_bytes(name: str) -> bytes:
    """The committed frame ``frames/{name}.jsonld``."""
    if name not in FRAMES:
        raise KeyError(f"no frame {name!r}; one of {', '.join(FRAMES)}")
    return (resources.files(__package__) / "frames" / f"{name}.jsonld").read_bytes()


def schema_bytes(name: str) -> bytes:
    """The JSON Schema of the framed documents of ``name``."""
    if name not in FRAMES:
        raise KeyError(f"no frame {name!r}; one of {', '.join(FRAMES)}")
    return (resources.files(__package__) / "schemas" / f"{name}.schema.json").read_bytes()
