"""Generalisation of every model: neutral sentences, counter-speech, the functional suite, and (for models
that refit in minutes) leave-one-source-out and cross-lingual folds.

    python benchmarks/run_protocols.py                      # every protocol each model supports
    python benchmarks/run_protocols.py --quick              # neutral, counter-speech and functional only (CI)
    python benchmarks/run_protocols.py --models default fast --protocols neutral crosslingual
    python benchmarks/run_protocols.py --models default --protocols crosslingual --seeds 13 14 15

Writes results/protocols.json (merged with what is there: one entry per model and protocol)
and prints the tables; `python benchmarks/report.py` puts them into RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from extremism_nlp import Classifier
from extremism_nlp.evaluation import protocols
from extremism_nlp.evaluation.functional import run_suite

RESULTS = Path(__file__).parent / "results" / "protocols.json"
DEFAULT_MODELS = ("default", "fast", "stack", str(Path(__file__).parent / "models" / "frozen_reference"))


def _functional_summary(classifier: Classifier) -> dict:
    result = run_suite(classifier)
    return {"summary": result["summary"], "by_functionality": result["by_functionality"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", nargs="+", default=list(DEFAULT_MODELS), help="built-in names or model folders")
    parser.add_argument("--protocols", nargs="+", default=["neutral", "counter_speech", "functional", "crosslingual", "loso"])
    parser.add_argument("--quick", action="store_true", help="neutral, counter_speech and functional only")
    parser.add_argument("--max-train-rows", type=int, default=None, help="loso, crosslingual: cap on training rows per fold")
    parser.add_argument(
        "--seeds", nargs="+", type=int, default=[],
        help="loso, crosslingual: once per seed, each drawing its own training sample, with the spread over draws "
        "(default: the model's own seed, once)",
    )  # fmt: skip
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    # loso and crosslingual run for minutes per fold: their progress ("training without ...") is logged
    logging.basicConfig(format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("extremism_nlp").setLevel(logging.INFO)
    chosen = ["neutral", "counter_speech", "functional"] if args.quick else args.protocols

    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    corpus = None
    for name in args.models:
        classifier = Classifier.from_pretrained(name)
        key = classifier.name
        entry = results.setdefault(key, {})
        if entry.get("version") != classifier.version:
            # another version's figures are not this one's: the entry starts again
            entry = results[key] = {}
        entry["version"] = classifier.version
        for protocol in chosen:
            started = time.perf_counter()
            if protocol in protocols.SENTENCE_SETS:
                result = protocols.run_sentence_set(classifier, protocol)
            elif protocol == "functional":
                result = _functional_summary(classifier)
            else:
                from extremism_nlp.training import REFITTABLE, TrainingConfig, run_refitting_protocol

                if classifier.model.model_type not in REFITTABLE:
                    print(f"{key}: {protocol} skipped (a {classifier.model.model_type} model takes hours to refit per fold)")
                    continue
                if corpus is None:
                    from extremism_nlp.data import load_corpus

                    corpus = load_corpus(args.data_dir)
                recorded = classifier.model.info.training.get("config", {})
                config = TrainingConfig.from_recorded(recorded, classifier.model.model_type).with_settings(show_progress=False)
                if args.max_train_rows:
                    config = config.with_settings(max_train_rows=args.max_train_rows)
                result = run_refitting_protocol(protocol, config, corpus, args.seeds)
                result["max_train_rows"] = config.backend.max_train_rows
            seconds = time.perf_counter() - started
            entry[protocol] = {"result": result, "seconds": round(seconds, 1), "date": time.strftime("%Y-%m-%d")}
            print(f"\n## {key} {classifier.version}: {protocol} ({seconds:.0f} s)\n")
            if protocol == "functional":
                for lang, kinds in result["summary"].items():
                    print(f"{lang}: harmful {kinds['harmful']['pass_rate']:.0%}, non-harmful {kinds['non_harmful']['pass_rate']:.0%}")
            else:
                print(protocols.protocol_markdown(protocol, result))
            sys.stdout.flush()
            RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
