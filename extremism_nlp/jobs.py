"""A file classification job (`extremism-nlp classify --input`): every record read is either
written or reported, never lost.

- The paths are checked before the model loads and before anything is opened for writing:
  an output that is the input file, a folder, or in a folder that does not exist is refused.
- Rows are written a batch at a time, each batch as one write followed by a flush, and
  Ctrl-C is acted on between batches: an interrupted job leaves only complete rows.
  A crash (power, kill -9) can still cut the last row; ``--resume`` removes such a torn
  tail before it appends.
- Ctrl-C ends the job with a summary (rows written, rows skipped, the last input line done);
  ``--resume`` continues after the last complete row of the output.
- ``-`` reads standard input or writes standard output.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO

from .io import STDIN, ReadProblems, Record, check_input_path, count_lines, guess_format, jsonl_line, read_records

logger = logging.getLogger(__name__)

STDOUT = "-"
EXIT_INTERRUPTED = 130  # the shell's code for a job ended by SIGINT
MAX_LISTED_PROBLEMS = 20


def check_output_path(output: str | Path, input: str | Path, option: str = "--output", example: str = "predictions.jsonl") -> Path:
    """The output file given as ``option``, or a ValueError (one line) for one that cannot
    be written safely."""
    path = Path(output)
    if path.is_dir():
        raise ValueError(f"{option} {path} is a directory; give a file name, e.g. {option} {path / example}")
    if not path.parent.is_dir():
        raise ValueError(f"cannot write {path}: its folder {path.parent} does not exist")
    if str(input) != STDIN and path.exists() and os.path.samefile(path, input):
        raise ValueError(f"{option} {path} is the input file: writing it would destroy the input; choose another file")
    return path


def resume_point(path: Path) -> int:
    """The input line of the last complete row of an earlier job's output, after cutting
    off a torn last row (one without its newline); 0 when there is no output yet."""
    if not path.is_file() or path.stat().st_size == 0:
        return 0
    with open(path, "rb+") as handle:
        size = handle.seek(0, os.SEEK_END)
        end = _last_newline(handle, size) + 1  # end of the complete rows
        if end < size:
            logger.warning("%s: cut a torn last row of %d bytes (written when the last job stopped)", path, size - end)
            handle.truncate(end)
        if end == 0:
            return 0
        start = _last_newline(handle, end - 1) + 1
        handle.seek(start)
        last = handle.read(end - start)
    try:
        line = json.loads(last).get("line")
    except (ValueError, AttributeError):
        line = None
    if not isinstance(line, int) or isinstance(line, bool):
        raise ValueError(f"--resume: the last row of {path} is not an output row of `extremism-nlp classify` (no 'line' field)")
    return line


def _last_newline(handle: IO[bytes], end: int, block: int = 1 << 16) -> int:
    """Offset of the last newline before ``end``, or -1."""
    position = end
    while position > 0:
        start = max(0, position - block)
        handle.seek(start)
        found = handle.read(position - start).rfind(b"\n")
        if found >= 0:
            return start + found
        position = start
    return -1


@contextmanager
def _interrupts_deferred() -> Iterator[list[int]]:
    """Ctrl-C is noted, and the job acts on it between batches: a KeyboardInterrupt raised
    wherever the signal lands can be swallowed (CPython drops exceptions raised inside a
    destructor, and numpy and scipy free objects all the time), and the job then ran to its
    end as if nothing had been asked. A second Ctrl-C stops at once. Main thread only:
    signals arrive there."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return

    def note(signum: int, frame: object) -> None:
        if caught:
            raise KeyboardInterrupt
        caught.append(signum)

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield caught
    finally:
        signal.signal(signal.SIGINT, previous)


@dataclass
class ClassifyJob:
    """Classify the records of ``input`` into JSONL rows (``line``, ``id``, prediction) in
    ``output``. Options as on the command line."""

    input: str
    output: str | None = None
    model: str = "default"
    fmt: str | None = None
    text_column: str = "text"
    batch_size: int = 1000
    include_text: bool = False
    include_evidence: bool = False
    resume: bool = False
    progress: bool = True

    written: int = 0
    last_line: int = 0

    def run(self) -> int:
        from .classifier import Classifier, check_batch_size

        check_batch_size(self.batch_size)
        check_input_path(self.input)
        to_stdout = self.output in (None, STDOUT)
        out_path = None if to_stdout else check_output_path(self.output, self.input)  # type: ignore[arg-type]
        if self.resume and out_path is None:
            raise ValueError("--resume needs --output FILE: it continues after the last complete row of that file")
        done = resume_point(out_path) if self.resume and out_path is not None else 0
        self.last_line = done
        fmt = self.fmt or guess_format(self.input)
        classifier = Classifier.from_pretrained(self.model)

        problems = ReadProblems(after_line=done)
        records = (record for record in read_records(self.input, fmt, self.text_column, problems) if record.line > done)
        shown = "standard input" if self.input == STDIN else self.input
        progress = None
        out: IO[str] | None = sys.stdout if to_stdout else None
        try:
            with _interrupts_deferred() as interrupted:
                # Batches from a generator: memory stays constant whatever the file size.
                while batch := list(islice(records, self.batch_size)):
                    if progress is None and self.progress:  # made once a batch is read: no bar before an input error
                        progress = self._progress_bar(shown, done)
                    predictions = classifier.classify([record.text for record in batch], batch_size=self.batch_size)
                    lines = "".join(self._row(record, prediction) for record, prediction in zip(batch, predictions))
                    if out is None:  # opened only once there is a row: a bad input leaves an old output alone
                        out = open(out_path, "a" if self.resume else "w", encoding="utf-8")  # type: ignore[arg-type]
                    out.write(lines)
                    out.flush()
                    self.written += len(batch)
                    self.last_line = batch[-1].line
                    if progress is not None:
                        progress.update(self.last_line - progress.n)
                    if interrupted:
                        raise KeyboardInterrupt
            if out is None and out_path is not None:
                out = open(out_path, "a" if self.resume else "w", encoding="utf-8")  # no rows: an empty output
        except KeyboardInterrupt:
            self._report(problems, shown, interrupted=True)
            return EXIT_INTERRUPTED
        finally:
            if progress is not None:
                progress.close()
            if out is not None and out is not sys.stdout:
                out.close()
        self._report(problems, shown)
        return 0

    def _row(self, record: Record, prediction) -> str:
        row = {"line": record.line, **({"id": record.id} if record.id is not None else {})}
        if self.include_text:
            row["text"] = record.text
        return jsonl_line(row | prediction.to_dict(evidence=self.include_evidence)) + "\n"

    def _progress_bar(self, shown: str, done: int):
        from tqdm.auto import tqdm

        # Lines of the input, counted once (a fraction of a second per million lines): the
        # bar then shows a total and an ETA. Standard input has no known size.
        total = count_lines(self.input)
        return tqdm(
            desc=f"classifying {Path(shown).name}", total=total, initial=done, unit=" lines", file=sys.stderr,
            mininterval=1.0,
        )  # fmt: skip

    def _report(self, problems: ReadProblems, shown: str, interrupted: bool = False) -> None:
        # An interrupted job counts the problems up to its last written row: a rerun with
        # --resume reads (and reports) the lines after it again.
        listed = [problem for problem in problems.skipped if not interrupted or problem[0] <= self.last_line]
        skipped = len(listed)
        target = "" if self.output in (None, STDOUT) else f" into {self.output}"
        if interrupted:
            print(
                f"interrupted: {self.written} rows written{target}, {skipped} skipped; input done up to line "
                f"{self.last_line}. Run the same command with --resume to continue after it.",
                file=sys.stderr,
            )
        else:
            print(
                f"classified {self.written} texts from {shown}{target}; {self.written + skipped} records read, "
                f"{skipped} skipped",
                file=sys.stderr,
            )
        if skipped:
            print(f"skipped {skipped} unreadable records:", file=sys.stderr)
            for line, reason in listed[:MAX_LISTED_PROBLEMS]:
                print(f"  line {line}: {reason}", file=sys.stderr)
            if skipped > MAX_LISTED_PROBLEMS:
                print(f"  ... and {skipped - MAX_LISTED_PROBLEMS} more", file=sys.stderr)
