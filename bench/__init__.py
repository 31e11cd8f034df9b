"""Benchmarks and the soak: scripts (``.venv/bin/python bench/NAME.py``) and modules the tests
import (``from bench import soak``)."""
