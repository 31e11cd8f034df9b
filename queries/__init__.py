"""The gallery's example queries (``*.rq``), shipped in the package as ``ccgraph.queries``."""
