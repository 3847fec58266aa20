"""Plain-text tables of a corpus build, as printed by `extremism-nlp data stats`."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..labels import LABELS
from .corpus import CorpusStats
from .splits import SPLITS


def format_table(header: list[str], rows: list[list[Any]]) -> str:
    """A fixed-width table; numbers right-aligned."""
    cells = [[str(value) for value in row] for row in rows]
    widths = [max(len(name), *(len(row[i]) for row in cells)) if cells else len(name) for i, name in enumerate(header)]

    def line(values: list[str], raw: list[Any] | None = None) -> str:
        parts = []
        for i, value in enumerate(values):
            numeric = raw is not None and isinstance(raw[i], (int, float))
            parts.append(value.rjust(widths[i]) if numeric else value.ljust(widths[i]))
        return "  ".join(parts).rstrip()

    out = [line(header), line(["-" * width for width in widths])]
    out.extend(line(cell, row) for cell, row in zip(cells, rows))
    return "\n".join(out)


def format_stats(stats: CorpusStats) -> str:
    """Every table of the corpus statistics."""
    counts = ["rows", *LABELS, "none"]
    sections = []

    per_source = [[r["source"], r["lang"], r["split"], *(r[key] for key in counts)] for r in stats.rows]
    sections.append("Rows per source, language and split (label columns: positives)\n" + format_table(["source", "lang", "split", *counts], per_source))

    totals: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(counts, 0))
    for r in stats.rows:
        for key in counts:
            totals[(r["lang"], r["split"])][key] += r[key]
            totals[("all", r["split"])][key] += r[key]
    order = {split: i for i, split in enumerate(SPLITS)}
    per_lang = [[lang, split, *(values[key] for key in counts)] for (lang, split), values in sorted(totals.items(), key=lambda kv: (kv[0][0] == "all", kv[0][0], order[kv[0][1]]))]
    sections.append("Rows per language and split\n" + format_table(["lang", "split", *counts], per_lang))

    dup_rows = [[reason, n] for reason, n in sorted(stats.duplicates_removed.items(), key=lambda kv: -kv[1])]
    dup_rows.append(["total", sum(stats.duplicates_removed.values())])
    sections.append("Rows removed by de-duplication\n" + format_table(["reason", "rows"], dup_rows))

    skipped = []
    for name, info in stats.sources.items():
        for reason, n in sorted(info["skipped"].items(), key=lambda kv: -kv[1]):
            examples = ", ".join(info["skipped_lines"].get(reason, [])[:3])
            skipped.append([name, reason, n, examples])
    sections.append(
        "Rows skipped while reading\n"
        + (format_table(["source", "reason", "rows", "first at"], skipped) if skipped else "none")
    )

    langs = [
        [name, info["rows_read"], info["rows_kept"], info.get("language_disagreements", 0),
         ", ".join(f"{k} {v}" for k, v in info.get("language_disagreement_top", {}).items()),
         info.get("language_fallback_to_primary", 0)]
        for name, info in stats.sources.items()
    ]  # fmt: skip
    sections.append(
        "Sources: rows read and kept (news: passages kept), detected language differing from the declared one\n"
        + format_table(["source", "read", "kept", "lang differs", "most often detected", "undetected"], langs)
    )
    if stats.missing_sources:
        sections.append("Sources missing from the data directory (skipped): " + ", ".join(stats.missing_sources))
    sections.append(f"Corpus built in {stats.build_seconds:.1f} s (a cached load reuses it)")
    return "\n\n".join(sections)
