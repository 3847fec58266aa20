"""Probe (docs/MODELS.md, "Tenth round"): does a frozen-encoder head flag fewer neutral
sentences at the same `hate` F1 on natural rows, or only sit at a higher threshold?

For each model folder, every `hate` threshold (global and per language) is moved by the same
offsets, and the script prints the `hate` F1 on the test split's natural rows (the written
examples left out) and the neutral sentences flagged (any label). Scores come from cached
embeddings through the model's own head and calibration (texts cut at its 256-token window,
each row in its corpus language), so they differ from the Classifier's by the few long texts
it reads in passages.

    python benchmarks/probe_threshold_tradeoff.py OLD_MODEL_DIR NEW_MODEL_DIR

Needs the embedding cache that training `configs/default.json` builds (an hour on 2 cores
the first time); then under a minute.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from extremism_nlp.data.corpus import load_corpus
from extremism_nlp.embeddings import EmbeddingCache
from extremism_nlp.evaluation.protocols import PARALLEL_SOURCES, load_neutral
from extremism_nlp.labels import LABELS
from extremism_nlp.models.loading import load_model

OFFSETS = (-0.04, -0.03, -0.02, -0.01, 0.0, 0.01, 0.02, 0.03)
HATE = LABELS.index("hate")
parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("models", nargs="+", type=Path, help="frozen_encoder model folders")
parser.add_argument("--data-dir", default="../shared/data")
args = parser.parse_args()

test = load_corpus(args.data_dir)["test"]
natural = ~np.isin(np.asarray(test["source"]), PARALLEL_SOURCES)
langs = np.asarray(test["lang"])[natural]
judged = np.asarray(test["label_mask"], dtype=bool)[natural, HATE]
truth = np.asarray(test["labels"], dtype=np.int8)[natural, HATE]
neutral = load_neutral()


def cached_model(folder: Path):
    """The model, reading embeddings from the cache as training does (`embedding_cache`)."""
    model = load_model(folder, runtime="torch")
    backend = model.info.backend
    model.embedding_cache = EmbeddingCache(backend["base"], backend["prefix"], pool_layers=backend["pool_layers"])
    return model


def moved(model, row_langs, offset: float) -> np.ndarray:
    """The model's thresholds for these languages with every `hate` threshold moved."""
    table = model.thresholds_for(list(row_langs)).copy()
    table[:, HATE] += offset
    return table


texts = [text for text, keep in zip(test["text"], natural) if keep]
for folder in args.models:
    model = cached_model(folder)
    P = model.predict_proba(texts)
    neutral_P = {lang: model.predict_proba(sentences) for lang, sentences in neutral.items()}
    print(f"{model.info.name} {model.info.version} ({folder}): `hate` threshold {model.info.thresholds['hate']:.3f}")
    for offset in OFFSETS:
        decided = (P >= moved(model, langs, offset))[:, HATE]
        by_lang = {lang: round(f1_score(truth[judged & (langs == lang)], decided[judged & (langs == lang)]), 3) for lang in ("ar", "en", "fr", "de")}
        flagged = {lang: int((p >= moved(model, [lang] * len(p), offset)).any(axis=1).sum()) for lang, p in neutral_P.items()}
        over = sum(count > 0.01 * len(neutral[lang]) for lang, count in flagged.items())
        print(
            f"  offset {offset:+.2f}: natural `hate` F1 {f1_score(truth[judged], decided[judged]):.3f} {by_lang}; "
            f"neutral flagged {sum(flagged.values())}, {over} languages over 1 %",
            flush=True,
        )
