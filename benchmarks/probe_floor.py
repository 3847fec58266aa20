"""How steady the thresholds' plain-text floor is, and what it decides.

The floor (`training.calibration.threshold_floor`) is the 99.5th percentile of a model's
scores on the plain everyday validation texts written for the project: about 1,000 texts,
so it is one of their top five or six scores. For each model folder given, this script
prints and records
- the floor per label from those texts, and the 5th-95th percentiles of the floor over
  1,000 bootstrap resamples of them (`threshold_floor_interval`);
- the neutral sentences and counter-speech replies flagged at the model's thresholds, and
  again with every threshold the floor set moved to another floor;
- with ``--extra-plain FOLDER`` (``<lang>.txt``, one sentence a line): the same with those
  sentences pooled with the validation texts, as the `plain_calibration` setting pools
  them (`read_plain_calibration`, which drops lines of the neutral or counter-speech sets);
- with ``--costs``: what each floor costs, at its thresholds: F1 of `hate` and `offensive`
  on the test split (all rows, and Arabic, French and German rows) and the functional
  suite's pass rates in ar, en, fr and de.

The model's scores do not change; only the thresholds the floor binds move, as
`fit_calibration` would have set them with that floor. Usage:

    python benchmarks/probe_floor.py runs/g15 runs/bag --extra-plain data/staged/plain_calibration
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np

from extremism_nlp import Classifier
from extremism_nlp.data import load_corpus
from extremism_nlp.evaluation.functional import load_suite, run_suite
from extremism_nlp.evaluation.protocols import load_sentences
from extremism_nlp.labels import LABELS
from extremism_nlp.training import TrainingConfig
from extremism_nlp.training.calibration import threshold_floor, threshold_floor_interval
from extremism_nlp.training.run import plain_rows, read_plain_calibration

RESULTS = Path(__file__).parent / "results" / "probe_floor.json"


def flagged(classifier: Classifier, scores: np.ndarray, langs: list[str]) -> int:
    return int(classifier.decide(scores, langs).any(axis=1).sum())


def with_floor(classifier: Classifier, old: np.ndarray, new: np.ndarray) -> None:
    """Move every threshold the old floor set (equal to it) to the new floor, and raise the
    others to it where they are below: what calibration with that floor would store."""
    info = classifier.model.info

    def moved(threshold: float, k: int) -> float:
        return float(new[k]) if abs(threshold - old[k]) < 1e-5 else max(threshold, float(new[k]))

    info.thresholds = {label: moved(t, LABELS.index(label)) for label, t in info.thresholds.items()}
    info.language_thresholds = {
        lang: {label: moved(t, LABELS.index(label)) for label, t in labels.items()} for lang, labels in info.language_thresholds.items()
    }


def costs(classifier: Classifier, test_scores: np.ndarray, test: dict[str, np.ndarray]) -> dict:
    """Test-split F1 of `hate` and `offensive` (judged rows; all, ar, fr, de) and functional
    pass rates at the classifier's current thresholds."""
    from sklearn.metrics import f1_score

    decided = classifier.decide(test_scores, list(test["langs"]))
    figures: dict = {}
    for label in ("hate", "offensive"):
        k = LABELS.index(label)
        for lang in ("all", "ar", "fr", "de"):
            rows = test["mask"][:, k].astype(bool) & ((test["langs"] == lang) if lang != "all" else True)
            figures[f"{label} F1, {lang}"] = round(float(f1_score(test["targets"][rows, k], decided[rows, k], zero_division=0)), 4)
    summary = run_suite(classifier, load_suite())["summary"]
    for lang in ("ar", "en", "fr", "de"):
        figures[f"functional {lang}"] = [round(summary[lang][kind]["pass_rate"], 3) for kind in ("harmful", "non_harmful")]
    return figures


def probe(folder: str, data_dir: str | None, extra_folder: Path | None, with_costs: bool = False) -> dict:
    classifier = Classifier.from_pretrained(folder)
    info = classifier.model.info
    config = TrainingConfig.from_recorded(info.training.get("config", {}), classifier.model.model_type)
    # The recipe's own sources only: loading every source would de-duplicate across more of them.
    corpus = load_corpus(data_dir or config.run.data_dir, config.run.sources, config.run.languages, config.run.commercial_only)
    validation = corpus["validation"]
    if with_costs:
        test_split = corpus["test"]
        test = {
            "langs": np.asarray(test_split["lang"]), "targets": np.asarray(test_split["labels"]), "mask": np.asarray(test_split["label_mask"]),
        }  # fmt: skip
        test_scores = classifier.predict_proba(list(test_split["text"]))
    plain = [text for text, is_plain in zip(validation["text"], plain_rows(validation)) if is_plain]
    sets = {name: load_sentences(name) for name in ("neutral", "counter_speech")}
    set_texts = {name: [s for sentences in by_lang.values() for s in sentences] for name, by_lang in sets.items()}
    set_scores = {name: classifier.predict_proba(texts) for name, texts in set_texts.items()}
    set_langs = {name: classifier.languages(texts) for name, texts in set_texts.items()}
    pools = {"validation plain texts": classifier.predict_proba(plain)}
    if extra_folder is not None:
        extra = read_plain_calibration(extra_folder)
        pools[f"+ {extra_folder.name}"] = np.concatenate([pools["validation plain texts"], classifier.predict_proba(extra)])
    recorded = np.array([info.training["threshold_floor"][label] for label in LABELS])
    result: dict = {"model": folder, "version": f"{info.name} {info.version}", "pools": {}}
    for pool, scores in pools.items():
        floor = threshold_floor(scores)
        low, high = threshold_floor_interval(scores)
        original = (dict(info.thresholds), json.loads(json.dumps(info.language_thresholds)))
        with_floor(classifier, recorded, floor)
        counts = {name: flagged(classifier, set_scores[name], set_langs[name]) for name in set_texts}
        paid = costs(classifier, test_scores, test) if with_costs else {}
        info.thresholds, info.language_thresholds = original
        result["pools"][pool] = {
            "texts": len(scores),
            "floor": {label: round(float(f), 4) for label, f in zip(LABELS, floor)},
            "interval_90": {label: [round(float(a), 4), round(float(b), 4)] for label, a, b in zip(LABELS, low, high)},
            "neutral_flagged": counts["neutral"],
            "counter_speech_flagged": counts["counter_speech"],
            **({"costs": paid} if paid else {}),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="+", help="model folders (e.g. runs/g15)")
    parser.add_argument("--extra-plain", type=Path, help="a folder of <lang>.txt plain sentences pooled with the validation texts")
    parser.add_argument("--costs", action="store_true", help="also score the test split and the functional suite at each floor")
    parser.add_argument("--data-dir", help="the corpora (default: the recipe's)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    recorded = json.loads(args.output.read_text()) if args.output.is_file() else {}
    print("| model | floor from | texts | `hate` floor (90 % interval) | `offensive` floor (90 % interval) | neutral flagged | counter-speech flagged |")
    print("|---|---|---|---|---|---|---|")
    for folder in args.models:
        result = probe(folder, args.data_dir, args.extra_plain, args.costs)
        recorded[result["version"]] = result
        for pool, figures in result["pools"].items():
            floor, interval = figures["floor"], figures["interval_90"]
            print(
                f"| {result['version']} | {pool} | {figures['texts']} | {floor['hate']:.3f} ({interval['hate'][0]:.2f}-{interval['hate'][1]:.2f}) | "
                f"{floor['offensive']:.3f} ({interval['offensive'][0]:.2f}-{interval['offensive'][1]:.2f}) | "
                f"{figures['neutral_flagged']} | {figures['counter_speech_flagged']} |",
                flush=True,
            )
        for pool, figures in result["pools"].items():
            if "costs" in figures:
                print(f"  {result['version']}, {pool}: " + "; ".join(f"{key} {value}" for key, value in figures["costs"].items()))
    args.output.write_text(json.dumps(recorded, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
