"""The unified corpus: every source read, mapped, language-filled, split and de-duplicated,
then cached under a key made of the raw files' contents."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..extras import require
from ..labels import LABELS
from ..paths import DataDirectoryError, cache_root, repository_raw_dir, resolve_data_dir
from ..text import dedup_key, detect_language_scored
from .annotations import ANNOTATIONS_FILE
from .dedup import deduplicate
from .reading import RawRow, SourceReport
from .registry import LABELLED_SOURCES, SOURCES, Source, get_source
from .splits import SPLITS, assign_splits

if TYPE_CHECKING:
    from datasets import Dataset, DatasetDict

logger = logging.getLogger(__name__)

CORPUS_FORMAT = 5
"""Bumped whenever loaders, mappings, splits or de-duplication change: part of the cache key."""

COLUMNS = ("id", "text", "lang", "lang_detected", "labels", "label_mask", "source", "source_label")
ALL_JUDGED = [1] * len(LABELS)


def source_dir(source: Source, data_dir: Path) -> Path:
    """The folder a source's loader reads: under ``data/raw`` of the repository for a
    committed corpus, else in the data directory."""
    return (repository_raw_dir() if source.in_repository else data_dir) / source.folder


@dataclass
class CorpusStats:
    """Counts that `extremism-nlp data stats` prints: rows per source, language, label and
    split; duplicates removed; rows skipped with their reasons; language disagreements."""

    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    duplicates_removed: dict[str, int] = field(default_factory=dict)
    missing_sources: list[str] = field(default_factory=list)
    build_seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "rows": self.rows,
            "duplicates_removed": self.duplicates_removed,
            "missing_sources": self.missing_sources,
            "build_seconds": self.build_seconds,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CorpusStats:
        return cls(**data)


def _select_sources(data_dir: Path, sources: list[str] | tuple[str, ...] | None) -> tuple[list[Source], list[str]]:
    """Sources to build and those missing from the data directory (skipped with a warning
    unless asked for by name, which is an error)."""
    asked = sources is not None
    names = list(sources) if sources is not None else list(LABELLED_SOURCES)
    chosen, missing = [], []
    for name in names:
        source = get_source(name)
        if not source.labelled:
            raise ValueError(f"source {name!r} has no labels; read it with load_unlabelled({name!r})")
        folder = source_dir(source, data_dir)
        if not folder.is_dir():
            if asked:
                raise DataDirectoryError(f"source {name!r} was asked for but {folder} does not exist")
            logger.warning("source %s skipped: %s does not exist", name, folder)
            missing.append(name)
            continue
        chosen.append(source)
    return chosen, missing


def _fingerprint(data_dir: Path, chosen: list[Source]) -> str:
    """Cache key: the raw files' contents and the code that turns them into the corpus
    (loaders, splits, de-duplication, normalisation, language id)."""
    digest = hashlib.sha256(f"format={CORPUS_FORMAT};version={__version__}".encode())
    # The names as well as the files: project_annotations reads the folders of the sources it
    # annotates, so a selection without one of them reads the same files as one with it.
    digest.update(";".join(sorted(source.name for source in chosen)).encode())
    package = Path(__file__).resolve().parents[1]
    for code in [*sorted((package / "data").glob("*.py")), package / "text.py", package / "labels.py"]:
        digest.update(code.read_bytes())
    if any(source.name == "project_annotations" for source in chosen):
        digest.update(ANNOTATIONS_FILE.read_bytes())
    roots = {source.name: repository_raw_dir() if source.in_repository else data_dir for source in chosen}
    for root, folder in sorted({(roots[source.name], folder) for source in chosen for folder in source.input_folders}):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                with open(path, "rb") as handle:
                    for chunk in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(chunk)
    return digest.hexdigest()[:20]


def read_source(source: Source, data_dir: Path) -> tuple[list[RawRow], SourceReport]:
    """All usable rows of one source, and the report of what was read and skipped."""
    report = SourceReport(source.name)
    rows = []
    for row in source.loader(source_dir(source, data_dir), report):
        if not row.text or not row.text.strip():
            report.skip("empty text", row.id)
            continue
        rows.append(row)
    report.rows_kept = len(rows)
    return rows, report


MIN_LANGUAGE_CONFIDENCE = 0.5
"""Below this, a detected language is not trusted: a row of a source without a declared
language gets the source's primary language, and no disagreement is counted."""


def _fill_language(rows: list[RawRow], source: Source, info: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Language of every row (declared, else detected with confidence, else the source's
    primary language) and the detected language; confident disagreements with a declared
    language are counted."""
    langs, detected = [], []
    disagreements: Counter = Counter()
    fallback = 0
    for row in rows:
        found, confidence = detect_language_scored(row.text)
        declared = row.lang if source.declared_lang else None
        if declared is None:
            confident = confidence >= MIN_LANGUAGE_CONFIDENCE
            lang = found if confident else source.primary_lang
            fallback += not confident
        else:
            lang = declared
            if found != declared and confidence >= MIN_LANGUAGE_CONFIDENCE:
                disagreements[found] += 1
        langs.append(lang)
        detected.append(found)
    info["language_disagreements"] = sum(disagreements.values())
    info["language_disagreement_top"] = dict(disagreements.most_common(5))
    info["language_fallback_to_primary"] = fallback
    return langs, detected


def build_corpus(data_dir: Path, chosen: list[Source]) -> tuple[dict[str, dict[str, list]], CorpusStats]:
    """Rows of every split as columns, and the statistics of the build."""
    started = time.perf_counter()
    stats = CorpusStats()
    columns: dict[str, list] = {name: [] for name in (*COLUMNS, "split")}
    for number, source in enumerate(chosen, start=1):
        logger.info("reading source %d/%d: %s", number, len(chosen), source.name)
        rows, report = read_source(source, data_dir)
        info = report.to_dict()
        langs, detected = _fill_language(rows, source, info)
        strata = [f"{lang}|{row.labels}" for lang, row in zip(langs, rows)]
        splits = assign_splits(
            [row.group or row.id for row in rows], strata, [row.split for row in rows], source.official_test
        )
        for row, lang, found, split in zip(rows, langs, detected, splits):
            columns["id"].append(f"{source.name}:{row.id}")
            columns["text"].append(row.text)
            columns["lang"].append(lang)
            columns["lang_detected"].append(found)
            columns["labels"].append(list(row.labels))  # type: ignore[arg-type]  # labelled sources only
            columns["label_mask"].append(list(row.annotated) if row.annotated is not None else ALL_JUDGED)
            columns["source"].append(source.name)
            columns["source_label"].append(row.source_label)
            columns["split"].append(split)
        stats.sources[source.name] = info
        logger.info("read %s: %d rows kept of %d", source.name, report.rows_kept, report.rows_read)

    keys = [dedup_key(text) for text in columns["text"]]
    replaced = _replace_annotated(columns, keys)
    keep, removed = deduplicate([key[:2000] for key in keys], columns["split"])
    if replaced:
        removed["replaced by a project annotation of the same row or text"] = replaced
    no_text = [not key for key in keys]
    for index, empty in enumerate(no_text):
        if empty and keep[index]:
            keep[index] = False
            removed["no letters or digits after normalisation"] += 1
    stats.duplicates_removed = dict(removed)

    by_split: dict[str, dict[str, list]] = {split: {name: [] for name in COLUMNS} for split in SPLITS}
    for index, split in enumerate(columns["split"]):
        if keep[index]:
            for name in COLUMNS:
                by_split[split][name].append(columns[name][index])
    stats.rows = count_rows(by_split)
    stats.build_seconds = round(time.perf_counter() - started, 2)
    return by_split, stats


def _replace_annotated(columns: dict[str, list], keys: list[str]) -> int:
    """Drop (in place, from ``columns`` and ``keys``) every other source's copy of a text the
    project annotated: the annotated row itself and exact duplicates of its text. Such a
    text then appears once, under ``project_annotations``, whose labels take precedence;
    left to de-duplication, the copy in the more evaluative split (or the first one) would
    stay, whatever its labels."""
    is_annotation = [source == "project_annotations" for source in columns["source"]]
    annotated_ids = {row_id.split(":", 1)[1] for row_id, mine in zip(columns["id"], is_annotation) if mine}
    annotated_keys = {key for key, mine in zip(keys, is_annotation) if mine}
    drop = [
        not mine and (row_id in annotated_ids or (key != "" and key in annotated_keys))
        for row_id, key, mine in zip(columns["id"], keys, is_annotation)
    ]
    if any(drop):
        for name, values in columns.items():
            columns[name] = [value for value, dropped in zip(values, drop) if not dropped]
        keys[:] = [key for key, dropped in zip(keys, drop) if not dropped]
    return sum(drop)


def count_rows(by_split: dict[str, dict[str, list]]) -> list[dict[str, Any]]:
    """Rows and label positives per source, language and split (``none``: no label)."""
    table: dict[tuple[str, str, str], Counter] = {}
    for split, data in by_split.items():
        for source, lang, labels in zip(data["source"], data["lang"], data["labels"]):
            counter = table.setdefault((source, lang, split), Counter())
            counter["rows"] += 1
            counter["none"] += not any(labels)
            for label, on in zip(LABELS, labels):
                counter[label] += on
    order = {split: index for index, split in enumerate(SPLITS)}
    return [
        {"source": source, "lang": lang, "split": split, **{key: counter[key] for key in ("rows", *LABELS, "none")}}
        for (source, lang, split), counter in sorted(table.items(), key=lambda item: (item[0][0], item[0][1], order[item[0][2]]))
    ]


def _to_dataset_dict(by_split: dict[str, dict[str, list]]) -> DatasetDict:
    from datasets import Dataset, DatasetDict, Features, Sequence, Value

    features = Features(
        {
            "id": Value("string"),
            "text": Value("string"),
            "lang": Value("string"),
            "lang_detected": Value("string"),
            "labels": Sequence(Value("int8"), length=len(LABELS)),
            "label_mask": Sequence(Value("int8"), length=len(LABELS)),
            "source": Value("string"),
            "source_label": Value("string"),
        }
    )
    return DatasetDict({split: Dataset.from_dict(data, features=features) for split, data in by_split.items()})


@contextlib.contextmanager
def _quiet_datasets() -> Iterator[None]:
    """No progress bars while writing the cache; the user's own setting is restored after."""
    from datasets.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars

    was_disabled = are_progress_bars_disabled()
    disable_progress_bars()
    try:
        yield
    finally:
        if not was_disabled:
            enable_progress_bars()


def _require_datasets() -> None:
    require("datasets", "data", "the data layer")


def load_corpus_with_stats(
    data_dir: str | os.PathLike | None = None,
    sources: list[str] | tuple[str, ...] | None = None,
    rebuild: bool = False,
) -> tuple[DatasetDict, CorpusStats]:
    """The unfiltered corpus of the chosen sources and its statistics, from the cache when
    the raw files are unchanged."""
    _require_datasets()
    from datasets import DatasetDict

    root = resolve_data_dir(data_dir)
    chosen, missing = _select_sources(root, sources)
    if not chosen:
        raise DataDirectoryError(f"no source folder found in {root}; expected folders: {', '.join(LABELLED_SOURCES)}")
    cache_dir = cache_root() / "corpus" / _fingerprint(root, chosen)
    if cache_dir.is_dir() and not rebuild and (cache_dir / "stats.json").is_file():
        try:
            corpus = DatasetDict.load_from_disk(str(cache_dir / "dataset"))
            stats = CorpusStats.from_dict(json.loads((cache_dir / "stats.json").read_text()))
            stats.missing_sources = missing
            return corpus, stats
        except (OSError, ValueError, json.JSONDecodeError) as error:
            logger.warning("corpus cache %s unreadable (%s); rebuilding", cache_dir, error)
    logger.info("building the corpus from the raw files in %s (once: later runs read it from %s)", root, cache_dir)
    by_split, stats = build_corpus(root, chosen)
    stats.missing_sources = missing
    corpus = _to_dataset_dict(by_split)
    tmp = cache_dir.with_name(cache_dir.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    with _quiet_datasets():
        # One shard per split: an empty split (a small source selection) then still
        # writes a file, and load_from_disk can read it back.
        corpus.save_to_disk(str(tmp / "dataset"), num_shards=dict.fromkeys(corpus, 1))
    (tmp / "stats.json").write_text(json.dumps(stats.to_dict(), ensure_ascii=False, indent=1))
    shutil.rmtree(cache_dir, ignore_errors=True)
    tmp.rename(cache_dir)
    # Re-open from the cache so that the returned corpus is memory-mapped like a cached one.
    return DatasetDict.load_from_disk(str(cache_dir / "dataset")), stats


def load_corpus(
    data_dir: str | os.PathLike | None = None,
    sources: list[str] | tuple[str, ...] | None = None,
    languages: list[str] | tuple[str, ...] | None = None,
    commercial_only: bool = False,
) -> DatasetDict:
    """The project corpus as a ``datasets.DatasetDict`` with ``train``, ``validation`` and
    ``test``.

    Columns: ``id``, ``text`` (raw, as in the source), ``lang`` (ISO 639-1), ``lang_detected``,
    ``labels`` (multi-hot in ``extremism_nlp.LABELS`` order), ``label_mask`` (1 where the
    source judged that label for the row; a 0 label under a 0 mask is unknown, not
    negative), ``source`` and ``source_label`` (the original label, for auditing).

    Args:
        data_dir: folder of the raw corpora; default ``$EXTREMISM_NLP_DATA``, else
            ``../shared/data`` next to the repository.
        sources: registry names to include (default: every labelled source present).
        languages: ISO 639-1 codes to keep.
        commercial_only: keep only sources whose stated licence allows commercial use.
    """
    if languages is not None:
        languages = [languages] if isinstance(languages, str) else list(languages)
    if sources is not None:
        sources = [sources] if isinstance(sources, str) else list(sources)
    corpus, _ = load_corpus_with_stats(data_dir, sources)
    allowed_sources = None
    if commercial_only:
        allowed_sources = {name for name, source in SOURCES.items() if source.commercial}
    if allowed_sources is None and languages is None:
        return corpus

    def wanted(batch: dict[str, list]) -> list[bool]:
        return [
            (allowed_sources is None or source in allowed_sources) and (languages is None or lang in languages)
            for source, lang in zip(batch["source"], batch["lang"])
        ]

    with _quiet_datasets():
        return corpus.filter(wanted, batched=True, batch_size=10_000, keep_in_memory=True)


def load_unlabelled(name: str, data_dir: str | os.PathLike | None = None) -> Dataset:
    """An unlabelled source (such as ``farright_telegram_sample``) as a ``datasets.Dataset``
    with ``id``, ``text``, ``lang`` (detected), ``source`` and ``source_label``."""
    _require_datasets()
    from datasets import Dataset

    source = get_source(name)
    root = resolve_data_dir(data_dir)
    if not source_dir(source, root).is_dir():
        raise DataDirectoryError(f"source {name!r} was asked for but {source_dir(source, root)} does not exist")
    rows, report = read_source(source, root)
    if report.skipped:
        logger.warning("%s: %d rows skipped: %s", name, sum(report.skipped.values()), dict(report.skipped))
    langs, _ = _fill_language(rows, source, {})
    return Dataset.from_dict(
        {
            "id": [f"{name}:{row.id}" for row in rows],
            "text": [row.text for row in rows],
            "lang": langs,
            "source": [name] * len(rows),
            "source_label": [row.source_label for row in rows],
        }
    )
