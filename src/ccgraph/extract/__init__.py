"""The extract stage: profile documents -> typed records with exact character offsets.

``read_sources`` takes profile .txt files, JSON corpora (``uccn-profiles-*.json``) and
directories of them; ``read_profile_text``/``read_profile_file`` parse one document and
``read_corpus`` one corpus. See ``profile.py`` for what each span covers.
"""

from .corpus import (
    Collapsed,
    CorpusResult,
    Duplicate,
    ExtractResult,
    Skipped,
    read_corpus,
    read_sources,
)
from .profile import read_profile_file, read_profile_text
from .quality import corpus_quality, format_quality

__all__ = [
    "Collapsed",
    "CorpusResult",
    "Duplicate",
    "ExtractResult",
    "Skipped",
    "corpus_quality",
    "format_quality",
    "read_corpus",
    "read_profile_file",
    "read_profile_text",
    "read_sources",
]
