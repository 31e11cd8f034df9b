"""The ccgraph ontology (Turtle), shipped in the package as ``ccgraph.ontology``."""
