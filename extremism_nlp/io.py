"""Streaming text records out of files (plain lines, JSONL, CSV) in constant memory.

A record that cannot be read (undecodable bytes, broken JSON, a missing text field, a CSV
row with the wrong number of fields, a lone surrogate escape such as ``"\\ud800"`` in JSON)
is reported with its line number and skipped; the rest of the file is still read. A problem
with the whole input (an empty CSV file, a text column that no row has) is a ValueError.

``-`` as the path reads standard input.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from .data.reading import MissingColumnsError, has_surrogates, read_table_stream

logger = logging.getLogger(__name__)

FORMATS = ("lines", "jsonl", "csv")
STDIN = "-"
# A JSONL file whose first this many objects all lack the text field is read no further:
# the column name is wrong, not the rows.
MISSING_FIELD_LIMIT = 1000


@dataclass
class Record:
    line: int
    text: str
    id: str | None = None


@dataclass
class ReadProblems:
    """Records skipped while reading a file: (line, reason). Lines at or before
    ``after_line`` (already done by an earlier run) are not recorded."""

    skipped: list[tuple[int, str]] = field(default_factory=list)
    rows_read: int = 0
    after_line: int = 0

    def add(self, line: int, reason: str) -> None:
        if line <= self.after_line:
            return
        self.skipped.append((line, reason))
        logger.warning("line %d skipped: %s", line, reason)

    def skip(self, reason: str, where: str) -> None:
        """The reporting interface of `data.reading.read_table` (``where`` is file:line, or
        the file alone for a problem with the whole file)."""
        name, _, line = where.rpartition(":")
        if not line.isdigit() or reason.startswith("unreadable header"):
            raise ValueError(f"{name or where}: {reason}: a CSV file needs a header row that names the text column")
        self.add(int(line), reason)


_LINE_BREAKS_BEYOND_LF = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def jsonl_line(row: dict) -> str:
    """One JSON object on one line, non-ASCII text kept readable. U+0085, U+2028 and U+2029
    are escaped: they are legal inside JSON strings, but readers that split lines the way
    Python's ``str.splitlines`` or JavaScript do would cut the row there."""
    return json.dumps(row, ensure_ascii=False).translate(_LINE_BREAKS_BEYOND_LF)


def guess_format(path: Path | str) -> str:
    if str(path) == STDIN:
        return "lines"
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    return "lines"


def check_input_path(path: Path | str) -> None:
    """A FileNotFoundError or ValueError, in one line, for an input that cannot be read."""
    if str(path) == STDIN:
        return
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"input {path} is a directory; give a file of texts")
    if not path.exists():
        raise FileNotFoundError(f"input file {path} does not exist")
    if not path.is_file() and not path.is_fifo() and not path.is_char_device():
        raise ValueError(f"input {path} is not a regular file")


def count_lines(path: Path | str) -> int | None:
    """Lines in the file (a final line without a newline counts), or None for standard
    input and other streams whose size is not known in advance."""
    if str(path) == STDIN or not Path(path).is_file():
        return None
    lines, last = 0, b"\n"
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


@contextmanager
def _binary_input(path: Path | str) -> Iterator[BinaryIO]:
    """The file opened for reading bytes, or standard input (left open)."""
    if str(path) == STDIN:
        yield sys.stdin.buffer
    else:
        with open(path, "rb") as handle:
            yield handle


def _decoded_lines(path: Path | str, problems: ReadProblems) -> Iterator[tuple[int, str]]:
    with _binary_input(path) as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                # utf-8-sig: a byte order mark before the first line is not part of its text
                yield number, raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
            except UnicodeDecodeError as error:
                problems.add(number, f"undecodable bytes (not UTF-8) at byte {error.start}")


def parse_json_line(line: str) -> tuple[Any, str | None]:
    """The JSON value of one line, or None and why it could not be read: broken JSON, and what
    json raises past its limits (a number of over 4,300 digits, nesting deeper than the
    interpreter's stack), which must skip the line, not end the job."""
    try:
        return json.loads(line), None
    except (ValueError, RecursionError) as error:  # JSONDecodeError is a ValueError
        return None, f"invalid JSON ({getattr(error, 'msg', error)})"


def read_records(path: Path | str, fmt: str, text_column: str, problems: ReadProblems) -> Iterator[Record]:
    """Records of ``path`` (``-``: standard input): every non-empty line (lines), the
    ``text_column`` field of every JSON object (jsonl) or CSV row (csv; ``.tsv`` is
    tab-separated). An ``id`` field or column, when present, is carried through."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown input format {fmt!r}; use one of {FORMATS}")
    check_input_path(path)
    if fmt == "lines":
        for number, line in _decoded_lines(path, problems):
            if line.strip():
                yield Record(number, line)
    elif fmt == "jsonl":
        yield from _read_jsonl(path, text_column, problems)
    else:
        yield from _read_csv(path, text_column, problems)


def _read_jsonl(path: Path | str, text_column: str, problems: ReadProblems) -> Iterator[Record]:
    # Objects without the field are reported once some object has it; until then they may
    # mean a wrong --text-column, which is one error, not a warning per row.
    found, pending, first_keys = False, [], None
    for number, line in _decoded_lines(path, problems):
        if not line.strip():
            continue
        obj, reason = parse_json_line(line)
        if reason is not None:
            problems.add(number, reason)
            continue
        if isinstance(obj, dict) and text_column not in obj and not found:
            pending.append(number)
            first_keys = first_keys if first_keys is not None else sorted(obj)[:10]
            if len(pending) >= MISSING_FIELD_LIMIT:
                break
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get(text_column), str):
            problems.add(number, f"no string field {text_column!r}")
            continue
        if not found:
            found = True
            for missing in pending:
                problems.add(missing, f"no string field {text_column!r}")
        text, record_id = obj[text_column], id_text(obj.get("id"))
        if has_surrogates(text) or (record_id is not None and has_surrogates(record_id)):
            # A "\ud800" escape: valid JSON, but not a character any writer or tokenizer takes.
            problems.add(number, "lone surrogate (invalid Unicode) in the text or id")
            continue
        yield Record(number, text, record_id)
    if not found and pending:
        which = f"none of the first {len(pending)} JSON objects" if len(pending) >= MISSING_FIELD_LIMIT else "no JSON object"
        raise ValueError(
            f"{which} in {path} has a field {text_column!r} (fields of the first: {first_keys}); "
            "choose the text field with --text-column"
        )


def id_text(value: Any) -> str | None:
    """A JSON ``id`` as the output's string: a string as it is, any other value as JSON
    (``4``, ``true``, ``{"a": 1}``), so that it reads back as what the input held."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _read_csv(path: Path | str, text_column: str, problems: ReadProblems) -> Iterator[Record]:
    stdin = str(path) == STDIN
    name = "<stdin>" if stdin else str(path)
    delimiter = "\t" if not stdin and Path(path).suffix.lower() == ".tsv" else ","
    # Standard input is wrapped and detached afterwards, not closed.
    source = sys.stdin.buffer if stdin else open(path, "rb")
    handle = io.TextIOWrapper(source, encoding="utf-8", errors="surrogateescape", newline="")
    try:
        # Strict quoting: a quote left open would otherwise swallow every later row into one text.
        # An empty text is classified (as empty), as in JSONL: every record gets its row.
        rows = read_table_stream(handle, name, problems, delimiter=delimiter, required=(text_column,), strict=True, skip_empty=False)
        for where, row in rows:
            record_id = row.get("id")
            yield Record(int(where.rsplit(":", 1)[1]), row[text_column], record_id)
    except MissingColumnsError as error:
        raise ValueError(f"{error}; choose the text column with --text-column") from None
    finally:
        if stdin:
            handle.detach()
        else:
            handle.close()
