"""Quality of every model and peer on the same test rows, per language and label.

    python benchmarks/run_quality.py            # full test split; writes results/quality.json and RESULTS.md
    python benchmarks/run_quality.py --quick    # at most 600 test rows per language (CI, a few minutes)
    python benchmarks/run_quality.py --models default   # one model measured again, the others' figures kept

With --models, the models named are measured again and merged into results/quality.json,
whose other models keep their figures, but only when that file was measured on the same
test rows (the same count in every language); otherwise the file is written anew with the
models named alone.

Peers (hatesonar, alt-profanity-check for English; arabic-toxic for Arabic) run in their
own virtual environments and are compared on the labels they cover only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from peers import PEERS, run_peer  # noqa: E402

from extremism_nlp import Classifier  # noqa: E402
from extremism_nlp.data import load_corpus  # noqa: E402
from extremism_nlp.data.splits import stable_hash  # noqa: E402
from extremism_nlp.evaluation.bias import bias_markdown  # noqa: E402
from extremism_nlp.evaluation.functional import load_suite, run_suite, suite_markdown  # noqa: E402
from extremism_nlp.evaluation.metrics import grouped_metrics, label_metrics, macro_f1  # noqa: E402
from extremism_nlp.labels import LABELS  # noqa: E402
from extremism_nlp.model_card import metrics_table  # noqa: E402
from extremism_nlp.models import builtin_models  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "quality.json"
MAIN_LANGUAGES = ["ar", "en", "fr", "de"]
QUICK_ROWS_PER_LANGUAGE = 600


def test_rows(data_dir: str | None, quick: bool) -> dict[str, list]:
    split = load_corpus(data_dir)["test"]
    rows = {"id": list(split["id"]), "text": list(split["text"]), "lang": list(split["lang"]), "source": list(split["source"])}
    rows["labels"] = np.asarray(split["labels"], dtype=np.int8)
    rows["label_mask"] = np.asarray(split["label_mask"], dtype=np.int8)
    if quick:
        # The same rows on every run: the first N of each language by a fixed hash.
        keep = []
        for lang in sorted(set(rows["lang"])):
            members = sorted((stable_hash(i), n) for n, (i, row_lang) in enumerate(zip(rows["id"], rows["lang"])) if row_lang == lang)
            keep.extend(n for _, n in members[:QUICK_ROWS_PER_LANGUAGE])
        keep.sort()
        rows = {key: ([value[n] for n in keep] if isinstance(value, list) else value[keep]) for key, value in rows.items()}
    return rows


def subset_macro_f1(targets: np.ndarray, predicted: np.ndarray, labels: tuple[str, ...], mask: np.ndarray) -> float | None:
    return macro_f1(label_metrics(targets, predicted, mask=mask), labels)


def models_on_peer_rows(
    predictions: dict[str, np.ndarray], targets: np.ndarray, mask: np.ndarray, langs: np.ndarray
) -> dict[str, dict[str, float | None]]:
    """Each model's macro-F1 on each peer's rows and labels (peer -> model -> macro-F1),
    whether or not the peers run this time."""
    cells = {}
    for peer in PEERS:
        in_lang = langs == peer.language
        cells[peer.name] = {m: subset_macro_f1(targets[in_lang], p[in_lang], peer.labels, mask[in_lang]) for m, p in predictions.items()}
    return cells


def rows_by_language(results: dict) -> dict[str, int] | None:
    """Test rows per language of a results file (from any model's figures), to tell whether
    two runs measured the same rows."""
    for entry in results.get("models", {}).values():
        return {lang: cell["rows"] for lang, cell in entry["by_lang"].items()}
    return None


def merged_with_earlier(results: dict, model_cells: dict[str, dict[str, float | None]]) -> dict:
    """``results`` for the models just measured, joined to the earlier file's figures for
    every other model when both measured the same test rows (otherwise ``results`` alone).
    A peer's own figures are kept unless it ran again; either way its row keeps the other
    models' macro-F1 on its rows and labels and takes the new models' (``model_cells``:
    peer -> model -> macro-F1)."""
    if not RESULTS.exists():
        return results
    earlier = json.loads(RESULTS.read_text())
    if earlier.get("quick") or earlier.get("rows") != results["rows"] or rows_by_language(earlier) != rows_by_language(results):
        print(f"{RESULTS} measured other test rows: written anew with {sorted(results['models'])} only")
        return results
    kept = sorted(set(earlier["models"]) - set(results["models"]))
    print(f"kept from {RESULTS}: {kept}; measured again: {sorted(results['models'])}")
    merged = {**earlier, "models": {**earlier["models"], **results["models"]}, "functional": {**earlier["functional"], **results["functional"]}}
    peers = {**earlier["peers"], **results["peers"]}
    for name, entry in peers.items():
        before = earlier["peers"].get(name, {}).get("models_macro_f1")
        if before is not None and "models_macro_f1" in entry:
            entry["models_macro_f1"] = {**before, **model_cells[name]}
    merged["peers"] = peers
    return merged


def peers_on_same_rows(rows: dict, predictions: dict[str, np.ndarray], model_cells: dict[str, dict[str, float | None]]) -> dict:
    """Each peer run on the test rows of its language and compared on the labels it covers
    (printed as a table); a peer that cannot be installed is reported, not fatal."""
    targets, mask, langs = rows["labels"], rows["label_mask"], np.asarray(rows["lang"])
    print("## Peers on the same rows, on the labels each peer covers\n")
    print("| peer | lang | rows | labels compared | peer macro-F1 | " + " | ".join(f"{m} macro-F1" for m in predictions) + " |")
    print("|" + "---|" * (5 + len(predictions)))
    peers: dict = {}
    for peer in PEERS:
        in_lang = langs == peer.language
        texts = [t for t, m in zip(rows["text"], in_lang) if m]
        try:
            decided = run_peer(peer, texts)
        except Exception as error:
            print(f"| {peer.name} | {peer.language} | unavailable: {str(error).splitlines()[0][:80]} |")
            peers[peer.name] = {"error": str(error)[:500]}
            continue
        peer_predicted = np.array([[int(label in d) for label in LABELS] for d in decided], dtype=np.int8).reshape(-1, len(LABELS))
        entry = {
            "language": peer.language,
            "rows": int(in_lang.sum()),
            "labels": list(peer.labels),
            "peer_macro_f1": subset_macro_f1(targets[in_lang], peer_predicted, peer.labels, mask[in_lang]),
            "per_label_f1": {label: label_metrics(targets[in_lang], peer_predicted, mask=mask[in_lang])[label]["f1"] for label in peer.labels},
            "models_macro_f1": model_cells[peer.name],
        }
        peers[peer.name] = entry
        cells = " | ".join(f"{v:.3f}" if v is not None else "n/a" for v in entry["models_macro_f1"].values())
        print(f"| {peer.name} | {peer.language} | {entry['rows']} | {', '.join(peer.labels)} | {entry['peer_macro_f1']:.3f} | {cells} |")
    print()
    return peers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--models", nargs="+", default=None, help="model names or folders (default: every built-in model)")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()

    rows = test_rows(args.data_dir, args.quick)
    targets, mask = rows["labels"], rows["label_mask"]
    langs = np.asarray(rows["lang"])
    suite = load_suite()
    print(f"test rows: {len(rows['text'])}{' (quick sample)' if args.quick else ''}\n")
    results: dict = {"quick": args.quick, "rows": len(rows["text"]), "models": {}, "peers": {}, "functional": {}}

    predictions: dict[str, np.ndarray] = {}
    for name in args.models or builtin_models():
        classifier = Classifier.from_pretrained(name)
        started = time.perf_counter()
        probabilities = classifier.predict_proba(rows["text"])
        predicted = classifier.decide(probabilities, classifier.languages(rows["text"]))
        seconds = time.perf_counter() - started
        predictions[name] = predicted
        by_lang = grouped_metrics(targets, predicted, probabilities, rows["lang"], mask)
        results["models"][name] = {"version": classifier.version, "by_lang": by_lang, "seconds": round(seconds, 1)}
        groups = ["all", *MAIN_LANGUAGES, *sorted(g for g in by_lang if g not in ("all", *MAIN_LANGUAGES) and by_lang[g]["rows"] >= 100)]
        print(f"## {name} {classifier.version}: test metrics by language\n")
        print(metrics_table(by_lang, groups) + "\n")
        functional = run_suite(classifier, suite)
        results["functional"][name] = functional
        print(f"## {name}: functional suite (pass rate per functionality and language)\n")
        print(suite_markdown(functional) + "\n")
        print(f"## {name}: identity-term bias on the suite\n")
        print(bias_markdown(functional["bias"]) + "\n")

    model_cells = models_on_peer_rows(predictions, targets, mask, langs)
    if not args.no_peers:
        results["peers"] = peers_on_same_rows(rows, predictions, model_cells)

    if not args.quick:
        if args.models:
            results = merged_with_earlier(results, model_cells)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1, default=float) + "\n")
        from report import write_results_md

        write_results_md()
        print(f"wrote {RESULTS} and benchmarks/RESULTS.md")


if __name__ == "__main__":
    main()
