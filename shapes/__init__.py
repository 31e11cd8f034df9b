"""The SHACL shapes (Turtle), shipped in the package as ``ccgraph.shapes``."""
