"""The curated data the build reads, shipped in the package as ``ccgraph.data``."""
