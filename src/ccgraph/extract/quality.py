"""Statistics about what the extract stage read: a dict for the build report, and text."""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any

from .corpus import CorpusResult, ExtractResult


def corpus_quality(result: CorpusResult | ExtractResult) -> dict[str, Any]:
    """Counts and lists that show how well the profiles were read.

    Keys: ``documents_read``, ``profiles_parsed``, ``profiles_skipped`` (source and reason),
    ``profiles_collapsed`` (duplicates: source, kept, reason), ``pledges`` (total, share of
    profiles with at least one, histogram pledge count -> profiles, min/median/max),
    ``profiles_without_pledges``, ``profiles_without_about``, ``profiles_without_intro``
    (city names), ``profiles_without_about_header`` (a count), ``extract_warnings``
    (warning code -> count).
    """
    profiles = result.profiles
    if isinstance(result, CorpusResult):
        documents = result.records
        collapsed = [{"source": f"{result.path}#{d.index}",
                      "kept": f"{result.path}#{d.kept_index}", "reason": d.reason}
                     for d in result.duplicates]
    else:
        documents = result.documents
        collapsed = [{"source": d.source, "kept": d.kept_source, "reason": d.reason}
                     for d in result.duplicates]
    counts = [len(p.pledges) for p in profiles]
    histogram = Counter(counts)
    with_pledges = sum(1 for c in counts if c > 0)
    warnings: Counter[str] = Counter(w.split(":", 1)[0] for p in profiles for w in p.warnings)
    return {
        "documents_read": documents,
        "profiles_parsed": len(profiles),
        "profiles_skipped": [{"source": s.source, "reason": s.reason} for s in result.skipped],
        "profiles_collapsed": collapsed,
        "pledges": {
            "total": sum(counts),
            "profiles_with_pledges": with_pledges,
            "share_with_pledges": round(with_pledges / len(profiles), 4) if profiles else 0.0,
            "histogram": {str(k): histogram[k] for k in sorted(histogram)},
            "min": min(counts) if counts else 0,
            "median": statistics.median(counts) if counts else 0,
            "max": max(counts) if counts else 0,
        },
        "profiles_without_pledges": [p.city for p in profiles if not p.pledges],
        "profiles_without_about": [p.city for p in profiles if p.about is None],
        "profiles_without_intro": [p.city for p in profiles if p.intro is None],
        "profiles_without_about_header": warnings.get("no-about-header", 0),
        "extract_warnings": dict(sorted(warnings.items())),
    }


def format_quality(quality: dict[str, Any]) -> str:
    """The statistics of :func:`corpus_quality` as a short plain-text report."""
    p = quality["pledges"]
    lines = [
        f"documents read:      {quality['documents_read']}",
        f"profiles parsed:     {quality['profiles_parsed']}",
        f"skipped:             {len(quality['profiles_skipped'])}",
    ]
    lines += [f"  {s['source']}: {s['reason']}" for s in quality["profiles_skipped"]]
    lines.append(f"duplicates:          {len(quality['profiles_collapsed'])}")
    lines += [f"  {d['source']} -> {d['kept']}: {d['reason']}"
              for d in quality["profiles_collapsed"]]
    lines += [
        f"pledges:             {p['total']} in {p['profiles_with_pledges']} profiles "
        f"({p['share_with_pledges']:.1%} of profiles have at least one)",
        f"pledges per profile: min {p['min']}, median {p['median']}, max {p['max']}",
        "  histogram (pledges: profiles): "
        + ", ".join(f"{k}: {v}" for k, v in p["histogram"].items()),
    ]
    for key, title in (("profiles_without_pledges", "without pledges"),
                       ("profiles_without_about", "without 'About' text"),
                       ("profiles_without_intro", "without intro sentence")):
        names = quality[key]
        lines.append(f"{title + ':':<24}{len(names)}" + (f" ({', '.join(names)})" if names else ""))
    lines.append(f"without About header: {quality['profiles_without_about_header']}")
    if quality["extract_warnings"]:
        lines.append("warnings: " + ", ".join(f"{k} {v}"
                                             for k, v in quality["extract_warnings"].items()))
    return "\n".join(lines) + "\n"
