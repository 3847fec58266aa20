"""Reading raw corpus files defensively: every row that cannot be used is counted with a
reason and its line number, never dropped silently and never a traceback from a parser."""

from __future__ import annotations

import csv
import gzip
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TextIO

logger = logging.getLogger(__name__)

MAX_EXAMPLE_LINES = 5

CSV_FIELD_LIMIT = 2**31 - 1
"""Some news articles run to tens of kilobytes in one CSV field, past the csv module's
default limit of 128 KiB, and a document to score may be longer still."""


def next_csv_record(reader: Iterator[list[str]]) -> list[str]:
    """``next(reader)`` with fields of any length. The csv module's field size limit is
    global to the process: it is lifted only while a record is parsed, so that an
    application importing this library keeps the limit it chose."""
    previous = csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        return next(reader)
    finally:
        csv.field_size_limit(previous)


class RawRow(NamedTuple):
    """One usable row of a source, before splitting and de-duplication.

    ``labels`` is multi-hot in ``LABELS`` order, or ``None`` for unlabelled text.
    ``annotated`` marks (1) the labels the source actually judged for this row; a 0 in
    ``labels`` under a 0 in ``annotated`` means "unknown", not "negative". ``None`` means
    every label was judged. ``split`` is the authors' split where they made one. ``group``
    ties rows that must share a split (passages of one article); it defaults to ``id``.
    """

    id: str
    text: str
    lang: str | None
    labels: tuple[int, ...] | None
    source_label: str
    split: str | None = None
    group: str | None = None
    annotated: tuple[int, ...] | None = None


@dataclass
class SourceReport:
    """What happened to the rows of one source while reading it."""

    source: str
    rows_read: int = 0
    rows_kept: int = 0
    skipped: Counter = field(default_factory=Counter)
    skipped_lines: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, where: str) -> None:
        """Count a row that cannot be used; keep the first few locations as examples."""
        self.skipped[reason] += 1
        examples = self.skipped_lines.setdefault(reason, [])
        if len(examples) < MAX_EXAMPLE_LINES:
            examples.append(where)

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "skipped": dict(self.skipped),
            "skipped_lines": self.skipped_lines,
        }


class MissingColumnsError(ValueError):
    """A delimited file lacks a column its reader needs."""


def read_text_lines(path: Path, report: SourceReport) -> Iterator[tuple[int, str]]:
    """Lines of a text file with their 1-based numbers; undecodable lines are reported."""
    with open(path, "rb") as handle:
        for line_no, raw in enumerate(handle, start=1):
            try:
                yield line_no, raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                report.rows_read += 1
                report.skip("undecodable bytes (not UTF-8)", f"{path.name}:{line_no}")


def read_table(
    path: Path,
    report: SourceReport,  # or anything with .rows_read and .skip(reason, where)
    *,
    delimiter: str = ",",
    columns: list[str] | None = None,
    required: tuple[str, ...] = (),
    quoting: Any = csv.QUOTE_MINIMAL,
) -> Iterator[tuple[str, dict[str, str]]]:
    """Records of a delimited file as ``(location, {column: value})``.

    ``columns`` names the fields of a file without a header; otherwise the first row is the
    header. A record with the wrong number of fields, an undecodable byte or an empty
    required field is reported with its line number and not yielded. A ``.gz`` file is
    read through gzip.
    """
    opener = gzip.open if path.suffix == ".gz" else open  # committed corpora are stored gzipped
    with opener(path, "rt", encoding="utf-8", errors="surrogateescape", newline="") as handle:
        try:
            yield from read_table_stream(
                handle, path.name, report, delimiter=delimiter, columns=columns, required=required, quoting=quoting
            )
        except (gzip.BadGzipFile, EOFError) as error:  # a truncated or corrupt archive: the rest is lost
            report.skip(f"unreadable compressed file ({type(error).__name__}); rows after this point lost", path.name)


def read_table_stream(
    handle: TextIO,
    name: str,
    report: SourceReport,
    *,
    delimiter: str = ",",
    columns: list[str] | None = None,
    required: tuple[str, ...] = (),
    quoting: Any = csv.QUOTE_MINIMAL,
    strict: bool = False,
    skip_empty: bool = True,
) -> Iterator[tuple[str, dict[str, str]]]:
    """`read_table` over an open text stream (``newline=""``, ``errors="surrogateescape"``);
    ``name`` stands for the file in locations and errors. ``strict`` reports a record with a
    stray quote (or a quote left open at the end of the file) instead of reading it as
    best it can. Without ``skip_empty`` a record whose required field is empty is read
    (a text to classify as empty), not reported and skipped (a corpus row without text)."""
    reader = csv.reader(handle, delimiter=delimiter, quoting=quoting, strict=strict)
    header = columns
    if header is None:
        try:
            header = next_csv_record(reader)
        except StopIteration:
            report.skip("empty file", name)
            return
        except csv.Error as error:
            report.skip(f"unreadable header ({error})", f"{name}:1")
            return
        header[0] = header[0].lstrip("\ufeff")
    missing = [column for column in required if column not in header]
    if missing:
        raise MissingColumnsError(f"{name} has no column(s) {missing} (header: {header})")
    while True:
        start = reader.line_num + 1
        try:
            fields = next_csv_record(reader)
        except StopIteration:
            return
        except csv.Error as error:
            report.rows_read += 1
            # A quote left open swallows the lines after it into this record: name them all.
            unread = f", lines {start}-{reader.line_num} unread" if reader.line_num > start else ""
            report.skip(f"malformed record ({error}){unread}", f"{name}:{start}")
            continue
        if not fields or fields == [""]:
            continue  # blank line
        report.rows_read += 1
        where = f"{name}:{start}"
        if len(fields) != len(header):
            report.skip(f"expected {len(header)} fields", where)
            continue
        if any(has_surrogates(value) for value in fields):
            report.skip("undecodable bytes (not UTF-8)", where)
            continue
        record = dict(zip(header, fields))
        if skip_empty and any(not record[column].strip() for column in required):
            report.skip("empty required field", where)
            continue
        yield where, record


def has_surrogates(value: str) -> bool:
    """Whether ``value`` holds a lone surrogate (undecodable bytes read with
    ``errors="surrogateescape"``, or a JSON ``"\\ud800"`` escape): no UTF-8 encoder takes it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parse_score(value: str) -> float | None:
    """A float column value, or ``None`` when it is not a number."""
    try:
        return float(value)
    except ValueError:
        return None
