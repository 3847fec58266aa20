"""Probe (docs/MODELS.md, "Eleventh round"): do two languages of a written round run parallel?

A `crosslingual` fold keeps the written rows of every language not written together with
the held-out one (`WRITTEN_TOGETHER`), so a round written as versions of one text would
let a fold see its held-out language's lines in translation. This counts near-translations
between every two languages of a round: pairs of lines that are each other's nearest
neighbour by cosine of their e5 embeddings (last layer, cached) and lie at least
``--min-cosine`` apart at most. Languages that are close (Hindi and Urdu, German and Dutch)
score higher than others even when written apart, so compare a round with one whose pairs
are known: the first lines of each `<lang>.jsonl` were written as parallel versions in the
groups fr/de/nl, es/it/pt and en/pl/tr/zh/ru (data/DATASHEET.md).

    python benchmarks/probe_written_parallel.py data/raw/project_written/{lang}.jsonl --first 60
    python benchmarks/probe_written_parallel.py data/raw/project_written/{lang}.jsonl --last 95

Needs the embedding cache that training `configs/default.json` builds (an hour on 2 cores the
first time); then seconds.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np

from extremism_nlp.data.loaders import PROJECT_WRITTEN_LANGUAGES
from extremism_nlp.embeddings import EmbeddingCache
from extremism_nlp.training.config import recipe_configs

MAX_LENGTH = 128  # as training embeds the written rows, so the cache holds them
LAST_LAYER = 384  # the cache joins the pooled layers; the first block is the last layer

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("pattern", help="path of one language's file, with {lang} for the language")
lines = parser.add_mutually_exclusive_group()
lines.add_argument("--first", type=int, help="only the first N lines of each file")
lines.add_argument("--last", type=int, help="only the last N lines of each file")
parser.add_argument("--min-cosine", type=float, default=0.92)
parser.add_argument("--top", type=int, default=12, help="language pairs printed")
args = parser.parse_args()


def texts(lang: str) -> list[str]:
    rows = [json.loads(line)["text"] for line in Path(args.pattern.format(lang=lang)).read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows[: args.first] if args.first else rows[-args.last :] if args.last else rows


backend = recipe_configs("configs/default.json")[-1].backend
cache = EmbeddingCache(backend.base, "query: ", pool_layers=[int(x) for x in backend.pool_layers])
unit = {}
for lang in PROJECT_WRITTEN_LANGUAGES:
    vectors = cache.embed(texts(lang), MAX_LENGTH)[:, :LAST_LAYER]
    unit[lang] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

counts = []
for a, b in itertools.combinations(PROJECT_WRITTEN_LANGUAGES, 2):
    similarity = unit[a] @ unit[b].T
    best_a, best_b = similarity.argmax(1), similarity.argmax(0)
    mutual = best_a[best_b] == np.arange(len(best_b))  # b's line j and a's line best_b[j] pick each other
    counts.append((int((mutual & (similarity.max(0) >= args.min_cosine)).sum()), a, b))
counts.sort(key=lambda item: -item[0])
sizes = {lang: len(unit[lang]) for lang in PROJECT_WRITTEN_LANGUAGES}
print(f"{args.pattern}: {min(sizes.values())}-{max(sizes.values())} lines a language; near-translations (mutual nearest, cosine >= {args.min_cosine}):")
for count, a, b in counts[: args.top]:
    print(f"  {a}-{b}: {count}")
