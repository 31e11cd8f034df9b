"""ccgraph's tests: a package, so that they import what they share from ``tests.support``."""
