"""Probe (docs/MODELS.md, "Probe: a tenth written round"): leave one source out for the
sources a decision turns on, over several draws and several models, side by side. The full
``loso`` protocol refits a recipe for every source (about 20 folds, 2.5 minutes each on one
core); a decision about Arabic and French needs four of them.

    python benchmarks/probe_loso_sources.py default runs/candidate \\
        --sources mlma mpold_ar osact5_ar_violence project_annotations --seeds 13 14 15

A model is a built-in name or a model folder; each refits the recipe it records on the
corpus of the checkout it runs in (a candidate trained with a staged round runs from the
checkout the round was appended in: pass ``--results`` so that both checkouts write one
file). Each fold is kept under the model's name and version, seed and source in
benchmarks/results/probe_loso_sources.json, and a fold already there is not run again: a run
that stops goes on where it stopped. Prints, for each language, the macro-F1 of every
natural-source fold per model (mean over the draws) and the mean of those folds, draw by
draw (`protocols.loso_means_by_lang`).
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
from pathlib import Path

from extremism_nlp import Classifier
from extremism_nlp.data import load_corpus
from extremism_nlp.evaluation.protocols import figure_text, loso_means_by_lang
from extremism_nlp.training import TrainingConfig, run_refitting_protocol

RESULTS = Path(__file__).parent / "results" / "probe_loso_sources.json"


def run_folds(name: str, sources: list[str], seeds: list[int], results: dict, path: Path, data_dir: str | None) -> str:
    """Run the folds of model ``name`` not yet in ``results``, saving each; returns its key."""
    classifier = Classifier.from_pretrained(name)
    key = f"{classifier.name} {classifier.version}"
    entry = results.setdefault(key, {"model": str(name), "draws": {}})
    recorded = classifier.model.info.training.get("config", {})
    config = TrainingConfig.from_recorded(recorded, classifier.model.model_type).with_settings(show_progress=False)
    corpus = None
    for seed in seeds:
        draw = entry["draws"].setdefault(str(seed), {})
        for source in sources:
            if source in draw:
                continue
            corpus = corpus if corpus is not None else load_corpus(data_dir)
            started = time.perf_counter()
            draw[source] = run_refitting_protocol("loso", config, corpus, [seed], held_out_sources=[source])["folds"]
            _save_fold(path, key, entry["model"], seed, source, draw[source])
            scores = ", ".join(f"{fold} {figure_text(figures['macro_f1'])}" for fold, figures in draw[source].items())
            print(f"{key} seed {seed} without {source}: {scores} ({time.perf_counter() - started:.0f} s)", flush=True)
    return key


def _mean(values: list[float | None]) -> float | None:
    """The mean of the values measured (a fold scores no label when too few positives are held out)."""
    measured = [v for v in values if v is not None]
    return statistics.mean(measured) if measured else None


def _save_fold(path: Path, key: str, model: str, seed: int, source: str, folds: dict) -> None:
    """Add one fold to the file as it is now: runs in two checkouts may share it."""
    saved = json.loads(path.read_text()) if path.is_file() else {}
    saved.setdefault(key, {"model": model, "draws": {}})["draws"].setdefault(str(seed), {})[source] = folds
    path.write_text(json.dumps(saved, indent=1, ensure_ascii=False) + "\n")


def print_table(keys: list[str], sources: list[str], seeds: list[int], results: dict) -> None:
    """Per language: each natural-source fold's mean over the draws, then the language's mean
    over its folds, draw by draw and over the draws."""
    means: dict[str, dict[int, dict]] = {}  # key -> seed -> loso_means_by_lang of that draw's folds of ``sources``
    folds: dict[str, dict[str, list]] = {}  # key -> fold -> macro-F1 per draw
    for key in keys:
        for seed in seeds:
            draw = {fold: figures for source in sources for fold, figures in results[key]["draws"][str(seed)][source].items()}
            means.setdefault(key, {})[seed] = loso_means_by_lang(draw)
            for fold, figures in draw.items():
                folds.setdefault(key, {}).setdefault(fold, []).append(figures["macro_f1"])
    languages = sorted({lang for key in keys for by_lang in means[key].values() for lang, kinds in by_lang.items() if "natural" in kinds})
    for lang in languages:
        print(f"\n### {lang}: natural-source folds, macro-F1 (mean of draws {', '.join(map(str, seeds))})\n")
        print("| fold | " + " | ".join(keys) + " |")
        print("|---|" + "---|" * len(keys))
        for fold in sorted({f for key in keys for f in folds[key] if f.endswith("/" + lang)}):
            cells = [folds[key].get(fold) for key in keys]
            print(f"| {fold} | " + " | ".join(figure_text(_mean(c or [])) for c in cells) + " |")
        per_draw = {key: [means[key][seed].get(lang, {}).get("natural", {}).get("macro_f1") for seed in seeds] for key in keys}
        print("| **mean of folds**, draw by draw | " + " | ".join(" / ".join(map(figure_text, per_draw[key])) for key in keys) + " |")
        print("| **mean of folds**, over draws | " + " | ".join(figure_text(_mean(per_draw[key])) for key in keys) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="+", help="built-in names or model folders")
    parser.add_argument("--sources", nargs="+", required=True, help="the sources held out, one fold each")
    parser.add_argument("--seeds", nargs="+", type=int, default=[13, 14, 15], help="one draw per seed")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    logging.basicConfig(format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    results = json.loads(args.results.read_text()) if args.results.is_file() else {}
    try:
        keys = [run_folds(name, args.sources, args.seeds, results, args.results, args.data_dir) for name in args.models]
    except ValueError as error:  # a source with no held-out rows: say which sources have them
        parser.error(str(error))
    print_table(keys, args.sources, args.seeds, results)


if __name__ == "__main__":
    main()
