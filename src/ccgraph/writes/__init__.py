"""Writes: a SPARQL Update or a Graph Store request, checked with SHACL, committed as a new
version of the build (store.py: versioned layout).

How a write goes (all of it under ``<store>/write.lock``, one writer at a time across every
worker process):

1. the request thread hands the write to the *write worker*, a child process
   (``python -m ccgraph.validate_worker``, started and warmed up in the background when the
   server starts, :meth:`Writer.warm`, else on the first write; then kept): this process's
   own, or under ``ccgraph serve`` the one of the server's write service (service.py),
   reached over a Unix socket, which every gunicorn worker shares;
2. the child holds the live version's named graphs (minus the generated VoID graph) in an
   in-memory pyoxigraph store, with the default graph holding their union (read once, then
   kept from write to write), and works out the change: one ``INSERT DATA``/``DELETE
   DATA`` or a Graph Store POST directly against that store (data.py), any other write by
   evaluating it on a copy (:func:`apply`). It reports "loaded" once the version is read,
   then "applied"; the parent kills it if the change takes longer than ``query_timeout``
   after "loaded" (pyoxigraph cannot cancel an update, a process can be killed);
3. the child validates the result with pyshacl (which patches rdflib globals, so it runs
   only there): only the focus nodes the change can affect, when the live version's report
   is known (validate/incremental.py), else everything; when it conforms, it writes a
   complete new version directory aside from the live one and the change (fast.py: the
   change applied to the worker's own store, kept open between writes (workstore.py), and
   the version's store a checkpoint of it; VoID patched or made again (voidpatch.py),
   dumps from kept state (gzcache.py), framed cities, reports, build.json), fsynced;
4. the parent swaps ``current`` to it (store.install_build: one atomic rename) and answers.
   A refused write (a violation, a bad request, too many changes, a timeout) writes nothing.

Every worker notices the new ``current`` on its next request and reopens the store
read-only; ETags follow build.json's ``version``.

The default graph. Readers see the default graph as the union of the named graphs, and
writes keep that meaning: an operation on the default graph (an update without ``GRAPH``,
or the Graph Store's ``?default``) is applied to the union, and the difference is carried
back to the named graphs: a triple removed from the default graph is removed from every
named graph holding it; a triple added to it goes to ``{base}graph/curated`` (the curators'
graph) unless a named graph holds it already. The VoID graph ``{base}graph/void`` is made
at each commit; writes cannot change it.
"""

from .changes import Applied, apply, named_quads, refuse_wiping
from .commit import Validation, nquads_of, validate_quads, write_version
from .data import DataOperation, apply_data, data_operation, post_operation
from .fast import Published, write_fast
from .request import (
    BAD_REQUEST,
    BUSY,
    COMMITTED,
    CONFLICT,
    DELETE,
    ERROR,
    FORBIDDEN,
    INVALID,
    NOT_FOUND,
    PAYLOAD_FORMATS,
    POST,
    PUT,
    TIMEOUT,
    TOO_LARGE,
    UNCHANGED,
    UPDATE,
    Limits,
    Request,
    WriteError,
    WriteResult,
    payload_format,
)
from .service import ServiceWriter
from .workstore import WorkStore
from .writer import Writer, WriteRunner

__all__ = [
    "BAD_REQUEST", "BUSY", "COMMITTED", "CONFLICT", "DELETE", "ERROR", "FORBIDDEN", "INVALID",
    "NOT_FOUND", "PAYLOAD_FORMATS", "POST", "PUT", "TIMEOUT", "TOO_LARGE", "UNCHANGED",
    "UPDATE", "Applied", "DataOperation", "Limits", "Published", "Request", "ServiceWriter",
    "Validation", "WorkStore", "WriteError", "WriteResult", "WriteRunner", "Writer", "apply",
    "apply_data", "data_operation",
    "named_quads", "nquads_of", "payload_format", "post_operation", "refuse_wiping",
    "validate_quads",
    "write_fast", "write_version",
]
