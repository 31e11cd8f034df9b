"""Reading the project's own RDF files (ontology, vocabularies, curated facts) into graphs.

Errors name the file and line and say what to do; the caller decides to stop the build.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from . import iris
from .formats import by_suffix
from .records import SourceError
from .terms import from_ox, quads_to_dataset

_LINE = re.compile(r"line (\d+)", re.IGNORECASE)


def read_turtle(path: Path, base: str = iris.DEFAULT_BASE) -> Graph:
    """Parse one Turtle file; IRIs under the default base are moved to ``base``."""
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except FileNotFoundError:
        raise SourceError(str(path), "file not found") from None
    except UnicodeDecodeError as exc:
        raise SourceError(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                          hint="save the file as UTF-8") from None
    except Exception as exc:  # rdflib raises several parser error types
        message = str(exc).strip().splitlines()
        match = _LINE.search(str(exc))
        raise SourceError(str(path), f"bad Turtle: {message[-1] if message else exc}",
                          line=int(match.group(1)) if match else None,
                          hint="fix the syntax there; the published data stays as it was"
                          ) from None
    return rebase(g, base)


def read_turtle_dir(directory: Path, base: str = iris.DEFAULT_BASE) -> Graph:
    """All ``*.ttl`` files of a directory (sorted), merged into one graph."""
    merged = Graph()
    for path in sorted(directory.glob("*.ttl")):
        merged += read_turtle(path, base)
    return merged


def rebase(g: Graph, base: str) -> Graph:
    """Move IRIs from the default base to ``base`` (no-op when they are the same)."""
    if base == iris.DEFAULT_BASE:
        return g
    out = Graph()

    def move(term: Node) -> Node:
        if isinstance(term, URIRef) and str(term).startswith(iris.DEFAULT_BASE):
            rest = str(term)[len(iris.DEFAULT_BASE):]
            if not rest.startswith("ontology"):
                return URIRef(base + rest)
        return term

    for s, p, o in g:
        out.add((move(s), p, move(o)))
    return out


def load_dataset(files: list[Path] | None = None, store: Path | None = None) -> Dataset:
    """RDF to validate: files (format by suffix; triples go to a graph named after the
    file) or every named graph of a built store."""
    ds = Dataset()
    if store is not None:
        from .store import open_build

        build = open_build(store)
        return quads_to_dataset(q for q in build.store
                                if not isinstance(q.graph_name, ox.DefaultGraph))
    for path in files or []:
        fmt = by_suffix(path.suffix)
        if fmt is None or fmt.rdflib is None:
            raise SourceError(str(path), f"unknown RDF file suffix {path.suffix!r}",
                              hint="use .ttl, .nt, .nq, .trig, .jsonld or .rdf")
        if not path.is_file():
            raise SourceError(str(path), "file not found")
        try:
            if fmt.kind == "dataset" and isinstance(fmt.oxigraph, ox.RdfFormat):
                for q in ox.parse(path=str(path), format=fmt.oxigraph):
                    graph = (URIRef(q.graph_name.value) if isinstance(q.graph_name, ox.NamedNode)
                             else URIRef(path.resolve().as_uri()))
                    ds.graph(graph).add((from_ox(q.subject), from_ox(q.predicate),
                                         from_ox(q.object)))
            else:
                ds.graph(URIRef(path.resolve().as_uri())).parse(path, format=fmt.rdflib)
        except Exception as exc:
            match = _LINE.search(str(exc))
            raise SourceError(str(path), f"cannot parse: {str(exc).strip()[:300]}",
                              line=int(match.group(1)) if match else None) from None
    return ds
