"""Scoring tables of texts at scale: `BatchClassifier` and the `extremism-nlp batch` job.

`BatchClassifier` loads a model once in ``__init__``; ``__call__(batch)`` takes a dict of
columns, a pandas DataFrame or a pyarrow Table and returns the same kind of object with
label and score columns added, so one class serves as

- a Ray Data ``map_batches`` actor::

      ds.map_batches(BatchClassifier, fn_constructor_kwargs={"model": "fast"},
                     compute=ray.data.ActorPoolStrategy(size=4), batch_size=1000)

- a Spark ``predict_batch_udf`` (given the text column alone, a numpy array, it returns a
  dict of result columns)::

      predict_batch_udf(lambda: BatchClassifier("fast"), return_type=BatchClassifier.spark_return_type(),
                        batch_size=1000)

- a plain loop: ``for frame in frames: out = scorer(frame)``.

A row whose text is not a string (null, a number, bytes) is not scored: its label and
scores are null and ``error`` says why. `run_batch` reads a folder or glob of parquet,
JSONL or CSV files with a local loop or on Ray, and writes parquet: scored rows under
``OUTPUT/status=scored/``, rejected rows (non-string text, unreadable lines) with their
reason under ``OUTPUT/status=rejected/``; rows in (counted in a separate pass over the
inputs) = rows out + rows rejected.
"""

from __future__ import annotations

import csv
import glob
import json
import logging
import math
import os
import re
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .data.reading import next_csv_record
from .io import MISSING_FIELD_LIMIT, id_text, parse_json_line
from .labels import LABELS

logger = logging.getLogger(__name__)

READ_ERROR_COLUMN = "read_error"
"""Set by the file readers on a row they could not read (its text is then null)."""
FORMATS = {".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "csv"}
STATUS_COLUMN = "status"


def _require(module: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f'batch scoring needs {module}: pip install "extremism-nlp[batch]" ({error})') from None


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


# pandas' missing-value markers (pd.NA, pd.NaT), named so as not to import pandas here
_MISSING_TYPES = {"NAType", "NaTType"}


def _rejection(value: Any) -> str | None:
    """Why a value cannot be scored as text, or None when it can."""
    if isinstance(value, str):
        # JSON's \\uD800-style escapes can make a lone surrogate, which is not text
        return "text holds a lone surrogate: not valid Unicode" if _SURROGATE_RE.search(value) else None
    if value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ in _MISSING_TYPES:
        return "text is missing (null)"
    return f"text is {type(value).__name__}, expected a string"


def _result_columns(evidence: bool) -> list[str]:
    """The result columns' names in order, without the prefix; ``score_*`` are numbers, the
    rest strings."""
    return ["label", "labels", *(f"score_{label}" for label in LABELS), "lang", *(["evidence"] if evidence else []), "error"]


class BatchClassifier:
    """A model loaded once, scoring batches of rows; see the module docstring.

    Args:
        model: built-in name or model folder.
        text_column: the column holding the texts.
        prefix: put before every added column name (``label``, ``labels``,
            ``score_<label>``, ``lang``, ``evidence``, ``error``), for tables that have such
            columns already.
        batch_size: texts per model call.
        evidence: add an ``evidence`` column: each decided label's spans (`Prediction.evidence`,
            the deciding sentences of a long text) as JSON text, ``{"hate": [{"start": 0,
            "end": 24, "text": "...", "score": 0.61}]}``, ``{}`` where no label is decided,
            null for a rejected row. JSON text rather than a nested type, so that parquet,
            Arrow, pandas and Spark all read it as a plain string column.
        options: backend options (``runtime="torch"``, ``"onnx"`` or ``"onnx-fp32"``).
    """

    def __init__(
        self, model: str = "fast", text_column: str = "text", prefix: str = "", batch_size: int = 1000, evidence: bool = False, **options: Any
    ) -> None:
        from .classifier import Classifier

        self.classifier = Classifier.from_pretrained(model, **options)
        self.text_column = text_column
        self.prefix = prefix
        self.batch_size = batch_size
        self.evidence = evidence

    @property
    def output_columns(self) -> list[str]:
        return [self.prefix + name for name in _result_columns(self.evidence)]

    @staticmethod
    def spark_schema(prefix: str = "", evidence: bool = False) -> str:
        """The Spark DDL of the result struct."""
        return ", ".join(f"{prefix}{name} {'double' if name.startswith('score_') else 'string'}" for name in _result_columns(evidence))

    @staticmethod
    def spark_return_type(prefix: str = "", evidence: bool = False) -> Any:
        """The result struct as a pyspark ``StructType``, for ``predict_batch_udf(return_type=...)``."""
        try:
            from pyspark.sql.types import (
                DoubleType,
                StringType,
                StructField,
                StructType,
            )
        except ImportError as error:
            raise ImportError(f"spark_return_type needs pyspark, which the project does not install ({error})") from None
        names = _result_columns(evidence)
        return StructType([StructField(prefix + name, DoubleType() if name.startswith("score_") else StringType()) for name in names])

    def score(self, texts: Sequence[Any], read_errors: Sequence[Any] | None = None) -> dict[str, np.ndarray]:
        """Result columns for ``texts``, one row each. ``labels`` joins the decided labels with
        commas ('' for none). Rejected rows: null label, NaN scores (null in Arrow and
        parquet), ``error`` set."""
        n = len(texts)
        errors: list[str | None] = [None] * n
        good = []
        for index, value in enumerate(texts):
            # a reader's reason is a string; pandas may hold "none" as None or NaN
            read_error = read_errors[index] if read_errors is not None else None
            reason = read_error if isinstance(read_error, str) else _rejection(value)
            if reason is None:
                good.append(index)
            else:
                errors[index] = str(reason)
        predictions = self.classifier.classify([str(texts[i]) for i in good], batch_size=self.batch_size)
        label = np.full(n, None, dtype=object)
        labels = np.full(n, None, dtype=object)
        lang = np.full(n, None, dtype=object)
        evidence = np.full(n, None, dtype=object)
        scores = np.full((n, len(LABELS)), np.nan)
        for index, prediction in zip(good, predictions):
            label[index] = prediction.label
            labels[index] = ",".join(prediction.labels)
            lang[index] = prediction.lang
            scores[index] = [prediction.scores[name] for name in LABELS]
            if self.evidence:
                evidence[index] = json.dumps(prediction.evidence_dicts(), ensure_ascii=False)
        p = self.prefix
        columns = {p + "label": label, p + "labels": labels}
        columns.update({f"{p}score_{name}": scores[:, k] for k, name in enumerate(LABELS)})
        columns[p + "lang"] = lang
        if self.evidence:
            columns[p + "evidence"] = evidence
        columns[p + "error"] = np.array(errors, dtype=object)
        return columns

    def _check_columns(self, names: Sequence[str]) -> None:
        repeated = sorted(name for name, count in Counter(names).items() if count > 1)
        if repeated:
            raise ValueError(f"the batch has repeated column names {repeated}: rename them apart")
        if self.text_column not in names:
            raise ValueError(f"no text column {self.text_column!r} in the batch (columns: {list(names)}); pass text_column=")
        clashes = [name for name in self.output_columns if name in names]
        if clashes:
            raise ValueError(f"the batch already has column(s) {clashes}; pass prefix='pred_' (or another) to name the results apart")

    def __call__(self, batch: Any) -> Any:
        """Dict of columns, pandas DataFrame or pyarrow Table in, the same kind out with the
        result columns added; any other sequence (a Spark column) in, a dict of result columns
        out."""
        kind = type(batch).__module__.split(".")[0]
        if kind == "pandas" and hasattr(batch, "columns"):
            self._check_columns(list(batch.columns))
            read_errors = batch[READ_ERROR_COLUMN].tolist() if READ_ERROR_COLUMN in batch.columns else None
            result = self.score(batch[self.text_column].tolist(), read_errors)
            out = batch.drop(columns=[READ_ERROR_COLUMN], errors="ignore").copy()
            for name, values in result.items():
                out[name] = values
            return out
        if kind == "pyarrow" and hasattr(batch, "column_names"):
            import pyarrow as pa

            self._check_columns(batch.column_names)
            if batch.schema.field(self.text_column).type == pa.null():
                # an all-null column stored with Arrow's null type: as strings, so that every
                # part written has the same schema (a reader cannot merge null with string)
                batch = batch.set_column(batch.column_names.index(self.text_column), self.text_column, batch.column(self.text_column).cast(pa.string()))
            read_errors = batch.column(READ_ERROR_COLUMN).to_pylist() if READ_ERROR_COLUMN in batch.column_names else None
            result = self.score(batch.column(self.text_column).to_pylist(), read_errors)
            out = batch.drop_columns([READ_ERROR_COLUMN]) if read_errors is not None else batch
            for name, values in result.items():
                array_type = pa.float64() if values.dtype.kind == "f" else pa.string()
                # from_pandas: a rejected row's NaN scores become nulls
                out = out.append_column(pa.field(name, array_type), pa.array(values, type=array_type, from_pandas=True))
            return out
        if isinstance(batch, Mapping):
            self._check_columns(list(batch))
            _check_dict_columns(batch, self.text_column)
            read_errors = list(batch[READ_ERROR_COLUMN]) if READ_ERROR_COLUMN in batch else None
            result = self.score(list(batch[self.text_column]), read_errors)
            return {**{k: v for k, v in batch.items() if k != READ_ERROR_COLUMN}, **result}
        if isinstance(batch, (str, bytes)):
            raise TypeError("expected a batch (dict of columns, DataFrame, Table or a column of texts), got one string")
        return self.score(list(batch))


def _check_dict_columns(batch: Mapping, text_column: str) -> None:
    """A dict of columns whose columns are sequences of one length, or a clear error."""
    if isinstance(batch[text_column], (str, bytes)):
        raise TypeError(f"column {text_column!r} is one string, not a column: give a list or array of texts")
    lengths = {}
    for name, column in batch.items():
        try:
            lengths[name] = len(column)
        except TypeError:
            raise TypeError(f"column {name!r} is a {type(column).__name__} without a length: give a list or array") from None
    if len(set(lengths.values())) > 1:
        raise ValueError(f"the columns differ in length: {lengths}")


# -- reading input files ---------------------------------------------------------------------------


def find_inputs(pattern: str | Path) -> tuple[list[Path], str]:
    """The files of a folder (searched recursively), a glob or one file, and their format."""
    path = Path(pattern)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FORMATS and not p.name.startswith((".", "_")))
    elif path.is_file():
        files = [path]
    else:
        files = sorted(Path(p) for p in glob.glob(str(pattern), recursive=True) if Path(p).is_file())
    if not files:
        raise FileNotFoundError(f"no input files at {pattern} (a folder, a glob such as 'posts/*.parquet', or a file)")
    unknown = [str(p) for p in files if p.suffix.lower() not in FORMATS]
    if unknown:
        raise ValueError(f"unknown input format for {unknown[:3]}: use {sorted(FORMATS)}")
    formats = {FORMATS[p.suffix.lower()] for p in files}
    if len(formats) > 1:
        raise ValueError(f"{pattern} mixes formats {sorted(formats)}: run one job per format")
    return files, formats.pop()


_RECORD_COLUMNS = ("source_file", "source_line", "id")
"""The columns the JSONL and CSV readers give every record, besides its text and read error."""


def _text_schema(text_column: str):
    import pyarrow as pa

    return pa.schema(
        [("source_file", pa.string()), ("source_line", pa.int64()), ("id", pa.string()), (text_column, pa.string()), (READ_ERROR_COLUMN, pa.string())]
    )


def check_input(path: Path, fmt: str, text_column: str) -> None:
    """A ValueError naming the file, before anything is written, for an input the job
    could not read through: a parquet file that is not one or lacks the text column, a CSV
    header without it, a text column named like one the readers add."""
    if fmt != "parquet" and text_column in (*_RECORD_COLUMNS, READ_ERROR_COLUMN):
        raise ValueError(f"--text-column {text_column!r} is a column the {fmt} reader adds itself: name the text field otherwise")
    if fmt == "parquet":
        pq = _require("pyarrow.parquet")
        try:
            names = pq.ParquetFile(path).schema_arrow.names
        except Exception as error:  # pyarrow raises ArrowInvalid, OSError and others for a bad file
            raise ValueError(f"{path}: not a readable parquet file ({error})") from None
        if text_column not in names:
            raise ValueError(f"{path} has no column {text_column!r} (columns: {names}); choose it with --text-column")
    elif fmt == "csv":
        for _ in _csv_records(path, text_column):  # reads the header, raising if the column is missing
            break
    else:
        _check_jsonl_field(path, text_column)


def _check_jsonl_field(path: Path, text_column: str) -> None:
    """A ValueError where no JSON object of the file has the text field (none of the first
    `MISSING_FIELD_LIMIT`, in a long file): the field is misnamed, not the rows broken,
    as `classify --input` decides it."""
    missing = 0
    with open(path, "rb") as handle:
        for raw in handle:
            obj, _ = parse_json_line(raw.decode("utf-8", "replace")) if raw.strip() else (None, None)
            if isinstance(obj, dict):
                if text_column in obj:
                    return
                missing += 1
                if missing >= MISSING_FIELD_LIMIT:
                    break
    if missing:
        raise ValueError(f"{path}: none of its first {missing} JSON objects has a field {text_column!r}; choose it with --text-column")


def _jsonl_records(path: Path, text_column: str) -> Iterator[tuple[int, str | None, str | None, str | None]]:
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                # utf-8-sig: a byte order mark before the first object is not part of it
                obj, reason = parse_json_line(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
            except UnicodeDecodeError as error:
                yield number, None, None, f"undecodable bytes (not UTF-8) at byte {error.start}"
                continue
            if reason is not None:
                yield number, None, None, reason
                continue
            if not isinstance(obj, dict):
                yield number, None, None, f"a JSON {type(obj).__name__}, expected an object"
                continue
            identifier = id_text(obj.get("id"))
            if identifier is not None and _SURROGATE_RE.search(identifier):
                yield number, None, None, "id holds a lone surrogate: not valid Unicode"
                continue
            value = obj.get(text_column)
            reason = _rejection(value) if text_column in obj else f"no field {text_column!r}"
            yield number, identifier, value if reason is None else None, reason


def _csv_reader(handle: Any, path: Path) -> Any:
    """The CSV reader of the batch job's reader and counter alike (tab-separated for .tsv)."""
    return csv.reader(handle, delimiter="\t" if path.suffix.lower() == ".tsv" else ",", strict=True)


def _csv_records(path: Path, text_column: str) -> Iterator[tuple[int, str | None, str | None, str | None]]:
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as handle:
        reader = _csv_reader(handle, path)
        try:
            header = next_csv_record(reader)
        except StopIteration:
            raise ValueError(f"{path}: empty file: a CSV file needs a header row that names the text column") from None
        except csv.Error as error:
            raise ValueError(f"{path}: unreadable CSV header ({error})") from None
        header[0] = header[0].lstrip("\ufeff")
        if text_column not in header:
            raise ValueError(f"{path} has no column {text_column!r} (header: {header}); choose it with --text-column")
        text_at = header.index(text_column)
        id_at = header.index("id") if "id" in header else None
        while True:
            start = reader.line_num + 1
            try:
                fields = next_csv_record(reader)
            except StopIteration:
                return
            except csv.Error as error:
                # strict quoting: a quote left open runs to the end of the file, and every
                # line it swallowed is named here instead of being read as one long text
                yield start, None, None, f"malformed record ({error}), lines {start}-{reader.line_num} unread"
                continue
            if not fields:
                continue  # a blank line is no record ('""' in a one-column file is one: [''])
            if len(fields) != len(header):
                yield start, None, None, f"{len(fields)} fields, expected {len(header)}"
                continue
            text, identifier = fields[text_at], fields[id_at] if id_at is not None else None
            if _SURROGATE_RE.search(text) or (identifier is not None and _SURROGATE_RE.search(identifier)):
                yield start, None, None, "undecodable bytes (not UTF-8)"
                continue
            yield start, identifier, text, None


def read_file(path: Path, fmt: str, text_column: str, batch_size: int = 10_000) -> Iterator[Any]:
    """pyarrow Tables of one input file. Parquet keeps its columns; JSONL and CSV give
    ``source_file, source_line, id, <text_column>, read_error``, one row per record,
    unreadable ones included (null text, ``read_error`` set)."""
    pa = _require("pyarrow")
    if fmt == "parquet":
        pq = _require("pyarrow.parquet")
        for record_batch in pq.ParquetFile(path).iter_batches(batch_size=batch_size):
            yield pa.Table.from_batches([record_batch])
        return
    schema = _text_schema(text_column)
    records = _jsonl_records(path, text_column) if fmt == "jsonl" else _csv_records(path, text_column)
    rows: list[tuple] = []
    for row in records:
        rows.append(row)
        if len(rows) >= batch_size:
            yield _records_table(path, rows, schema)
            rows = []
    if rows:
        yield _records_table(path, rows, schema)


def _records_table(path: Path, rows: list[tuple], schema: Any) -> Any:
    import pyarrow as pa

    lines, ids, texts, errors = (list(column) for column in zip(*rows))
    return pa.table([[str(path)] * len(rows), lines, ids, texts, errors], schema=schema)


def count_rows(path: Path, fmt: str) -> int:
    """Records in one input file, counted apart from the reader: parquet metadata; JSONL
    non-blank lines; CSV records after the header, blank lines not counted, malformed ones
    counted."""
    if fmt == "parquet":
        pq = _require("pyarrow.parquet")
        return pq.ParquetFile(path).metadata.num_rows
    if fmt == "jsonl":
        with open(path, "rb") as handle:
            return sum(1 for raw in handle if raw.strip())
    count = 0
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as handle:
        reader = _csv_reader(handle, path)
        first = True
        while True:
            try:
                fields = next_csv_record(reader)
            except StopIteration:
                break
            except csv.Error:
                count += 1
                continue
            if first:
                first = False
            elif fields:
                count += 1
    return count


# -- the job -----------------------------------------------------------------------------------------


@dataclass
class BatchReport:
    """What a batch job read, wrote and rejected."""

    engine: str
    model: str
    files: int
    rows_in: int
    rows_out: int
    rows_rejected: int
    seconds: float
    output: str
    rejected_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        """Every row read is either written or rejected."""
        return self.rows_in == self.rows_out + self.rows_rejected

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"balanced": self.balanced}


def _status_udf(error_column: str):
    def with_status(table: Any) -> Any:
        """The table with a ``status`` column (``scored`` or ``rejected``), for partitioning."""
        import pyarrow as pa
        import pyarrow.compute as pc

        status = pc.if_else(pc.is_null(table.column(error_column)), "scored", "rejected")
        return table.append_column(pa.field(STATUS_COLUMN, pa.string()), status)

    return with_status


def _write_local(table: Any, output: Path, part: str, error_column: str) -> None:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    rejected = pc.is_valid(table.column(error_column))
    for status, mask in (("scored", pc.invert(rejected)), ("rejected", rejected)):
        rows = table.filter(mask)
        if rows.num_rows:
            folder = output / f"{STATUS_COLUMN}={status}"
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(rows, folder / f"part-{part}.parquet")


def _written(output: Path, error_column: str) -> tuple[int, int, Counter]:
    """Rows under status=scored and status=rejected, and the rejection reasons."""
    pq = _require("pyarrow.parquet")
    counts = {"scored": 0, "rejected": 0}
    reasons: Counter = Counter()
    for status in counts:
        for path in sorted((output / f"{STATUS_COLUMN}={status}").glob("*.parquet")):
            counts[status] += pq.ParquetFile(path).metadata.num_rows
            if status == "rejected":
                reasons.update(pq.read_table(path, columns=[error_column]).column(error_column).to_pylist())
    return counts["scored"], counts["rejected"], reasons


def run_batch(
    input: str | Path,
    output: str | Path,
    *,
    engine: str = "local",
    model: str = "fast",
    text_column: str = "text",
    prefix: str = "",
    batch_size: int = 1000,
    evidence: bool = False,
    num_actors: int | None = None,
    num_cpus: int | None = None,
    ray_address: str | None = None,
) -> BatchReport:
    """Score every row of ``input`` (folder, glob or file of parquet, JSONL or CSV) into
    parquet under ``output`` (which must not exist or be empty): ``status=scored/`` and
    ``status=rejected/``.

    ``engine="local"`` loops in this process. ``engine="ray"`` runs on Ray: on the cluster
    at ``ray_address`` (or ``$RAY_ADDRESS``) when given, else on a local instance started
    here with ``num_cpus`` CPUs (default: all), or on the one already initialised;
    ``num_actors`` model copies (default: the cluster's CPUs) score in parallel.
    ``evidence`` adds `BatchClassifier`'s ``evidence`` column.
    """
    if engine not in ("local", "ray"):
        raise ValueError(f"unknown engine {engine!r}; use 'local' or 'ray'")
    files, fmt = find_inputs(input)
    for path in files:
        check_input(path, fmt, text_column)
    output = Path(output)
    if output.exists() and any(output.iterdir()):
        raise ValueError(f"output folder {output} is not empty: choose a new one or empty it, so that runs do not mix")
    output.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rows_in = sum(count_rows(path, fmt) for path in files)
    if engine == "local":
        scorer = BatchClassifier(model, text_column=text_column, prefix=prefix, batch_size=batch_size, evidence=evidence)
        for file_index, path in enumerate(files):
            for batch_index, table in enumerate(read_file(path, fmt, text_column, batch_size=batch_size)):
                _write_local(scorer(table), output, f"{file_index:05d}-{batch_index:05d}", prefix + "error")
    else:
        scorer_options = {"model": model, "text_column": text_column, "prefix": prefix, "batch_size": batch_size, "evidence": evidence}
        _run_ray(files, fmt, output, scorer_options, num_actors, num_cpus, ray_address)
    rows_out, rows_rejected, reasons = _written(output, prefix + "error")
    report = BatchReport(
        engine=engine,
        model=model,
        files=len(files),
        rows_in=rows_in,
        rows_out=rows_out,
        rows_rejected=rows_rejected,
        seconds=round(time.perf_counter() - started, 3),
        output=str(output),
        rejected_reasons=dict(reasons.most_common(20)),
    )
    if not report.balanced:
        logger.error("rows in %d != rows out %d + rejected %d", rows_in, rows_out, rows_rejected)
    return report


def _read_files_udf(fmt: str, text_column: str, batch_size: int):
    def read(batch: dict) -> Iterator[Any]:
        for path in batch["path"]:
            yield from read_file(Path(str(path)), fmt, text_column, batch_size)

    return read


def _run_ray(
    files: list[Path],
    fmt: str,
    output: Path,
    scorer_options: dict[str, Any],
    num_actors: int | None,
    num_cpus: int | None,
    ray_address: str | None,
) -> None:
    ray = _require("ray")
    _require("ray.data")
    started_here = not ray.is_initialized()
    if started_here:
        address = ray_address or os.environ.get("RAY_ADDRESS")
        if address:
            ray.init(address=address)
        else:
            ray.init(num_cpus=num_cpus, include_dashboard=False)
    try:
        _ray_pipeline(ray, files, fmt, output, scorer_options, num_actors)
    finally:
        if started_here:
            ray.shutdown()


def _ray_pipeline(ray: Any, files: list[Path], fmt: str, output: Path, scorer_options: dict[str, Any], num_actors: int | None) -> None:
    """``scorer_options``: `BatchClassifier`'s keyword arguments."""
    batch_size = scorer_options["batch_size"]
    cpus = float(ray.cluster_resources().get("CPU", 1))
    actors = num_actors or max(1, int(cpus))
    # Actors and tasks each take a share below one CPU, so that reading and writing tasks
    # still find room beside a full actor pool (else a 1-CPU instance waits forever).
    share = min(1.0, cpus / (actors + 1))
    paths = [str(path.resolve()) for path in files]
    # One read task per file with this module's readers, parquet included: the same rows and
    # rejections as the local engine (ray.data.read_parquet would do for parquet alone).
    rows = ray.data.from_items([{"path": path} for path in paths], override_num_blocks=len(paths)).map_batches(
        _read_files_udf(fmt, scorer_options["text_column"], batch_size), batch_size=1, batch_format="numpy", num_cpus=share
    )
    scored = rows.map_batches(
        BatchClassifier,
        fn_constructor_kwargs=scorer_options,
        compute=ray.data.ActorPoolStrategy(size=actors),
        batch_size=batch_size,
        batch_format="pyarrow",
        num_cpus=share,
    )
    with_status = scored.map_batches(_status_udf(scorer_options["prefix"] + "error"), batch_format="pyarrow", num_cpus=share)
    with_status.write_parquet(str(output), partition_cols=[STATUS_COLUMN], ray_remote_args={"num_cpus": share})
