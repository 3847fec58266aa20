"""The data layer: a registry of the shared corpora, one loader per corpus, and the unified,
leak-free ``DatasetDict`` every model, benchmark and notebook reads.

Importing this package is light; ``datasets`` is imported when a corpus is loaded.
"""

from ..paths import DataDirectoryError, resolve_data_dir
from .corpus import CorpusStats, load_corpus, load_corpus_with_stats, load_unlabelled
from .registry import SOURCES, Source, get_source

__all__ = [
    "SOURCES",
    "CorpusStats",
    "DataDirectoryError",
    "Source",
    "get_source",
    "load_corpus",
    "load_corpus_with_stats",
    "load_unlabelled",
    "resolve_data_dir",
]
