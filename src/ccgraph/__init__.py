"""ccgraph: the UNESCO Creative Cities Network as linked data."""

__version__ = "0.1.0"
