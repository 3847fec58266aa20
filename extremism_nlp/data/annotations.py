"""The project's own annotations: references to rows of the shared corpora (never copies of
their texts) with labels and a context tag from two blind passes and an adjudication.

The records live in ``resources/annotations/project_annotations.csv`` inside the package;
``data/annotation/GUIDELINE.md`` defines the labels and tags, ``REPORT.md`` describes the
result. The data layer exposes the decided records as the source ``project_annotations``:
each row's text is read from the source it refers to, and its labels replace that source's
own mapping for the same row.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ..labels import LABELS, to_multi_hot
from .reading import RawRow, SourceReport

ANNOTATIONS_FILE = Path(__file__).resolve().parents[1] / "resources" / "annotations" / "project_annotations.csv"
TAGS = ("none", "reporting", "counter_speech", "quotation")
"""Context tags: how a text relates to the harm it mentions (see the guideline)."""
ANNOTATED_SOURCES = ("mlma", "osact5_ar_violence", "saudinewsnet_ar_news", "masakhanews_en_fr", "farright_telegram_sample", "isis_fanboy")
"""The sources whose rows the records may refer to."""


@dataclass
class AnnotationRecord:
    """One annotated item. ``row_id`` is the row's id within its source (the corpus id
    without the ``source:`` prefix); labels are ``+``-joined label names or ``none``; empty
    pass fields mean the pass has not reached the item yet. ``final_*`` is the decision:
    the agreed pass, or the adjudication where the passes differ (with ``reason``)."""

    item_id: str
    lang: str
    source: str
    row_id: str
    selection: str
    heldout: int
    pass1_labels: str = ""
    pass1_tag: str = ""
    pass2_labels: str = ""
    pass2_tag: str = ""
    final_labels: str = ""
    final_tag: str = ""
    reason: str = ""

    @property
    def decided(self) -> bool:
        return bool(self.final_labels and self.final_tag)


FIELDS = tuple(f.name for f in fields(AnnotationRecord))


def parse_labels(value: str) -> tuple[int, ...]:
    """``"violence+hate"`` -> multi-hot in ``LABELS`` order; ``"none"`` -> all zeros."""
    value = value.strip()
    if value == "none":
        return (0,) * len(LABELS)
    names = value.split("+")
    unknown = [name for name in names if name not in LABELS]
    if not value or unknown:
        raise ValueError(f"labels {value!r}: expected 'none' or '+'-joined names from {list(LABELS)}")
    return tuple(to_multi_hot(names))


def format_labels(multi_hot: tuple[int, ...] | list[int]) -> str:
    names = [label for label, on in zip(LABELS, multi_hot) if on]
    return "+".join(names) if names else "none"


def _check(record: AnnotationRecord) -> None:
    for prefix in ("pass1", "pass2", "final"):
        labels, tag = getattr(record, f"{prefix}_labels"), getattr(record, f"{prefix}_tag")
        if bool(labels) != bool(tag):
            raise ValueError(f"{prefix}: labels and tag must be given together")
        if labels:
            parse_labels(labels)
            if tag not in TAGS:
                raise ValueError(f"{prefix}_tag {tag!r}: expected one of {TAGS}")
    if record.source not in ANNOTATED_SOURCES:
        raise ValueError(f"source {record.source!r}: expected one of {ANNOTATED_SOURCES}")
    if record.heldout not in (0, 1):
        raise ValueError(f"heldout {record.heldout!r}: expected 0 or 1")


def read_records(path: Path = ANNOTATIONS_FILE, report: SourceReport | None = None) -> list[AnnotationRecord]:
    """All records of the file. Malformed rows raise, or with a ``report`` are counted,
    skipped and listed there."""
    records = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != FIELDS:
            raise ValueError(f"{path}: columns {reader.fieldnames}, expected {list(FIELDS)}")
        for line, row in enumerate(reader, start=2):
            try:
                record = AnnotationRecord(**{**row, "heldout": int(row["heldout"])})  # type: ignore[arg-type]  # csv gives str
                _check(record)
            except (TypeError, ValueError) as error:
                if report is None:
                    raise ValueError(f"{path}:{line}: {error}") from None
                report.skip(f"malformed annotation record: {error}", f"{path.name}:{line}")
                continue
            records.append(record)
    return records


def write_records(records: list[AnnotationRecord], path: Path = ANNOTATIONS_FILE) -> None:
    for record in records:
        _check(record)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(asdict(record) for record in records)
    tmp.replace(path)


def load_project_annotations(
    data_dir: Path, report: SourceReport, referenced_rows: Callable[[Path, set[str], SourceReport], dict[tuple[str, str], RawRow]]
) -> Iterator[RawRow]:
    """Decided records as rows: the referenced text, the final labels (every label judged),
    held-out records fixed to the test split; undecided or dangling records are counted.
    ``referenced_rows`` reads the rows of the annotated sources (`registry.referenced_rows`:
    the registry knows the sources, this module only the annotations)."""
    records = read_records(ANNOTATIONS_FILE, report)
    report.rows_read += len(records)
    rows = referenced_rows(data_dir, {record.source for record in records}, report)
    for record in records:
        if not record.decided:
            report.skip("not yet decided (a pass or the adjudication is missing)", record.item_id)
            continue
        row = rows.get((record.source, record.row_id))
        if row is None:
            report.skip("referenced row not found in its source", record.item_id)
            continue
        yield RawRow(
            f"{record.source}:{record.row_id}", row.text, record.lang, parse_labels(record.final_labels),
            f"tag={record.final_tag};selection={record.selection}", "test" if record.heldout else None,
        )  # fmt: skip
