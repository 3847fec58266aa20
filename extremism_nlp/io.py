"""Streaming text records out of files (plain lines, JSONL, CSV) in constant memory.

A record that cannot be read (undecodable bytes, broken JSON, a missing text field, a CSV
row with the wrong number of fields) is reported with its line number and skipped; the
rest of the file is still read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .data.reading import MissingColumnsError, read_table

logger = logging.getLogger(__name__)

FORMATS = ("lines", "jsonl", "csv")


@dataclass
class Record:
    line: int
    text: str
    id: str | None = None


@dataclass
class ReadProblems:
    """Records skipped while reading a file: (line, reason)."""

    skipped: list[tuple[int, str]] = field(default_factory=list)
    rows_read: int = 0

    def add(self, line: int, reason: str) -> None:
        self.skipped.append((line, reason))
        logger.warning("line %d skipped: %s", line, reason)

    def skip(self, reason: str, where: str) -> None:
        """The reporting interface of `data.reading.read_table` (``where`` is file:line)."""
        self.add(int(where.rsplit(":", 1)[1]), reason)


def guess_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    return "lines"


def _decoded_lines(path: Path, problems: ReadProblems) -> Iterator[tuple[int, str]]:
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                yield number, raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as error:
                problems.add(number, f"undecodable bytes (not UTF-8) at byte {error.start}")


def read_records(path: Path, fmt: str, text_column: str, problems: ReadProblems) -> Iterator[Record]:
    """Records of ``path``: every non-empty line (lines), the ``text_column`` field of every
    JSON object (jsonl) or CSV row (csv; ``.tsv`` is tab-separated). An ``id`` field or
    column, when present, is carried through."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown input format {fmt!r}; use one of {FORMATS}")
    if not path.is_file():
        raise FileNotFoundError(f"input file {path} does not exist")
    if fmt == "lines":
        for number, line in _decoded_lines(path, problems):
            if line.strip():
                yield Record(number, line)
    elif fmt == "jsonl":
        for number, line in _decoded_lines(path, problems):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as error:
                problems.add(number, f"invalid JSON ({error.msg})")
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get(text_column), str):
                problems.add(number, f"no string field {text_column!r}")
                continue
            yield Record(number, obj[text_column], None if obj.get("id") is None else str(obj["id"]))
    else:
        yield from _read_csv(path, text_column, problems)


def _read_csv(path: Path, text_column: str, problems: ReadProblems) -> Iterator[Record]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        for where, row in read_table(path, problems, delimiter=delimiter, required=(text_column,)):
            yield Record(int(where.rsplit(":", 1)[1]), row[text_column], row.get("id"))
    except MissingColumnsError as error:
        raise ValueError(f"{error}; choose the text column with --text-column") from None
