"""Probe (docs/MODELS.md, "Tenth round"): does a frozen-encoder head flag fewer neutral
sentences at the same `hate` F1 on natural rows, or only sit at a higher threshold?

For each model folder, every `hate` threshold (global and per language) is moved by the same
offsets, and the script prints the `hate` F1 on the test split's natural rows (the written
examples left out) and the neutral sentences flagged (any label). Scores come from cached
embeddings (texts cut at 256 tokens, each row in its corpus language), so they differ from
the Classifier's by the few long texts it reads in passages.

    python benchmarks/probe_threshold_tradeoff.py OLD_MODEL_DIR NEW_MODEL_DIR

Needs the embedding cache that training `configs/default.json` builds (an hour on 2 cores
the first time); then about 2 minutes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import load_file
from sklearn.metrics import f1_score

from extremism_nlp.data.corpus import load_corpus
from extremism_nlp.embeddings import EmbeddingCache
from extremism_nlp.evaluation.protocols import PARALLEL_SOURCES, load_neutral
from extremism_nlp.labels import LABELS
from extremism_nlp.models.calibration import apply_platt

OFFSETS = (-0.04, -0.03, -0.02, -0.01, 0.0, 0.01, 0.02, 0.03)
READ_LENGTH = 256
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


def scorer(folder: Path):
    config = json.loads((folder / "config.json").read_text())
    backend = config["backend"]
    cache = EmbeddingCache(backend["base"], "query: ", pool_layers=[int(x) for x in backend["pool_layers"]])
    head = {k: v.astype(np.float64) for k, v in load_file(folder / "adapter.safetensors").items()}

    def probabilities(texts: list[str]) -> np.ndarray:
        X = cache.embed(texts, READ_LENGTH, show_progress=False)
        hidden = torch.nn.functional.gelu(torch.from_numpy(X @ head["head.0.weight"].T + head["head.0.bias"])).numpy()
        return apply_platt(hidden @ head["head.2.weight"].T + head["head.2.bias"], np.asarray(config["platt"]))

    def thresholds(row_langs, offset: float) -> np.ndarray:
        per_lang = config["language_thresholds"]
        table = np.array([[per_lang.get(lang, {}).get(label, config["thresholds"][label]) for label in LABELS] for lang in row_langs])
        table[:, HATE] += offset
        return table

    return config, probabilities, thresholds


texts = [text for text, keep in zip(test["text"], natural) if keep]
for folder in args.models:
    config, probabilities, thresholds = scorer(folder)
    P = probabilities(texts)
    neutral_P = {lang: probabilities(sentences) for lang, sentences in neutral.items()}
    print(f"{config['name']} {config['version']} ({folder}): `hate` threshold {config['thresholds']['hate']:.3f}")
    for offset in OFFSETS:
        decided = (P >= thresholds(langs, offset))[:, HATE]
        by_lang = {lang: round(f1_score(truth[judged & (langs == lang)], decided[judged & (langs == lang)]), 3) for lang in ("ar", "en", "fr", "de")}
        flagged = {lang: int((p >= thresholds([lang] * len(p), offset)).any(axis=1).sum()) for lang, p in neutral_P.items()}
        over = sum(count > 0.01 * len(neutral[lang]) for lang, count in flagged.items())
        print(
            f"  offset {offset:+.2f}: natural `hate` F1 {f1_score(truth[judged], decided[judged]):.3f} {by_lang}; "
            f"neutral flagged {sum(flagged.values())}, {over} languages over 1 %",
            flush=True,
        )
