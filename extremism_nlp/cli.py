"""Command line: `extremism-nlp classify|train|evaluate|serve|batch|data ...`."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Sequence

logger = logging.getLogger(__name__)

# Characters a terminal would act on rather than show: C0 and C1 controls (an escape
# sequence can recolour or rewrite the screen), the bidirectional marks, embeddings,
# overrides and isolates (they reorder the rest of the line), invisible spaces and lone
# surrogates (which no terminal encoding accepts). Joiners stay: Persian and Urdu spell with
# U+200C, emoji sequences with U+200D.
_UNSHOWN_RE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")


def _shown(text: str, limit: int) -> str:
    """``text`` on one terminal line: runs of white space as one space, the characters of
    `_UNSHOWN_RE` as ``\\uXXXX`` escapes, cut to ``limit`` characters."""
    shown = _UNSHOWN_RE.sub(lambda found: f"\\u{ord(found.group()):04x}", " ".join(text.split()))
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _cmd_data_stats(args: argparse.Namespace) -> int:
    from .data.corpus import load_corpus_with_stats
    from .data.stats import format_stats

    _, stats = load_corpus_with_stats(args.data_dir, args.sources, rebuild=args.rebuild)
    print(format_stats(stats))
    return 0


def _print_table(texts: list[str], predictions: list) -> None:
    from .data.stats import format_table
    from .labels import LABELS

    rows = [[p.label, p.lang, *(f"{p.scores[label]:.2f}" for label in LABELS), _shown(text, 60)] for text, p in zip(texts, predictions)]
    print(format_table(["label", "lang", *LABELS, "text"], rows))


def _cmd_classify(args: argparse.Namespace) -> int:

    if args.texts and args.input:
        raise ValueError("give texts as arguments or --input FILE, not both")
    if not args.texts and not args.input:
        raise ValueError("nothing to classify: give texts as arguments or --input FILE (- for standard input)")
    if args.texts and args.evidence and not args.json:
        raise ValueError("--evidence adds a field to JSON rows: add --json, or use --explain for the evidence under the table")
    if args.texts:
        from .classifier import Classifier
        from .io import jsonl_line

        classifier = Classifier.from_pretrained(args.model)
        predictions = classifier.classify(args.texts, batch_size=args.batch_size)
        explanations = [classifier.explain(text) for text in args.texts] if args.explain else [None] * len(args.texts)
        if args.json:
            for p, explanation in zip(predictions, explanations):
                row = p.to_dict(evidence=args.evidence or explanation is not None)
                if explanation is not None:
                    row["explanation"] = explanation.to_dict()
                print(jsonl_line(row))
        else:
            _print_table(args.texts, predictions)
            for text, p, explanation in zip(args.texts, predictions, explanations):
                if explanation is not None:
                    print(_explanation_lines(text, p, explanation))
        return 0
    if args.explain:
        raise ValueError("--explain explains texts given as arguments; for a file use `extremism-nlp explain --input FILE`")
    from .jobs import ClassifyJob

    job = ClassifyJob(
        input=args.input, output=args.output, model=args.model, fmt=args.format, text_column=args.text_column,
        batch_size=args.batch_size, include_text=args.include_text, include_evidence=args.evidence, resume=args.resume,
        progress=not args.no_progress,
    )  # fmt: skip
    return job.run()


def _explanation_lines(text: str, prediction, explanation) -> str:  # noqa: ANN001 - Prediction, Explanation
    from .labels import LABELS

    lines = [f"{_shown(text, 60)}  ({explanation.method}, logit units)"]
    for label in prediction.labels or LABELS:
        top = ", ".join(f"{_shown(w.text, 40)} {w.contributions[label]:+.2f}" for w in explanation.top(label, 5))
        lines.append(f"  {label}: {top or '(no word raises it)'}")
    for label, spans in prediction.evidence.items():
        for span in spans:
            lines.append(f"  evidence {label} [{span.start}:{span.end}] {span.score:.3f}: {_shown(span.text, 80)}")
    return "\n".join(lines)


def _read_document(path: str) -> str:
    """A file (``-``: standard input) as one UTF-8 text; bytes that are not UTF-8 are an
    error naming where, not characters silently replaced."""
    from pathlib import Path

    from .io import STDIN, check_input_path

    check_input_path(path)
    data = sys.stdin.buffer.read() if path == STDIN else Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"--input {path}: undecodable bytes (not UTF-8) at byte {error.start}; convert the file to UTF-8") from None


def _cmd_explain(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .classifier import Classifier
    from .io import STDIN
    from .jobs import check_output_path

    if (args.text is None) == (args.input is None):
        raise ValueError("give one text as an argument or --input FILE (- for standard input), not both")
    if args.html is not None:
        check_output_path(args.html, args.input or STDIN, "--html", "report.html")  # before any work
    text = args.text if args.input is None else _read_document(args.input)
    classifier = Classifier.from_pretrained(args.model)
    prediction = classifier.classify(text)
    explanation = classifier.explain(text) if not args.no_words else None
    if explanation is not None:
        print(_explanation_lines(text, prediction, explanation))
    else:
        print(f"{prediction.label} ({', '.join(f'{k} {v:.3f}' for k, v in prediction.scores.items())})")
    if args.html is not None:
        from .html_report import render_html

        title = f"extremism-nlp: {Path(args.input).name}" if args.input not in (None, "-") else "extremism-nlp"
        Path(args.html).write_text(render_html(text, prediction, explanation, title=title), encoding="utf-8")
        print(f"wrote {args.html}")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from .training import recipe_configs, train_recipe

    given = {name: value for name, value in vars(args).items() if name in _training_setting_names()}
    folders = train_recipe(recipe_configs(args.config, given))
    for folder in folders:
        print(f"model written to {folder} (card: {folder / 'README.md'})")
    return 0


def _cmd_refit_thresholds(args: argparse.Namespace) -> int:
    from .training import refit_thresholds

    folder = refit_thresholds(args.model, args.output, args.version, args.threshold_rule, args.data_dir)
    print(f"model written to {folder} (card: {folder / 'README.md'})")
    return 0


def _cmd_raise_floor(args: argparse.Namespace) -> int:
    from .training import raise_floor

    folder = raise_floor(args.model, args.texts, args.output, args.version, args.quantile)
    print(f"model written to {folder} (card: {folder / 'README.md'})")
    return 0


def _training_setting_names() -> set[str]:
    from .training.config import setting_specs

    return {spec.name for spec in setting_specs()}


def _add_training_settings(parser: argparse.ArgumentParser) -> None:
    """One option per training setting, from the config dataclasses: their defaults and help
    are the dataclasses' (an option not given leaves the recipe's or the default value)."""
    import types
    import typing

    from .backends import BACKENDS
    from .training.calibration import THRESHOLD_RULES
    from .training.config import setting_specs

    choices = {"model": list(BACKENDS), "threshold_rule": list(THRESHOLD_RULES)}
    for spec in setting_specs():
        kind = spec.type
        options: dict = {"dest": spec.name, "default": argparse.SUPPRESS}
        if typing.get_origin(kind) in (typing.Union, types.UnionType):
            kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
        if kind is bool:
            options["action"] = argparse.BooleanOptionalAction
        elif typing.get_origin(kind) is list:
            options |= {"nargs": "+", "type": typing.get_args(kind)[0], "metavar": spec.name.upper()}
        elif typing.get_origin(kind) is dict:
            options |= {"type": _json_object, "metavar": "JSON"}
        else:
            options["type"] = kind
        if spec.name in choices:
            options["choices"] = choices[spec.name]
        owners = f"{', '.join(spec.owners)}: " if spec.owners else ""
        shown = "" if spec.default in (None, False) or "default:" in spec.help else f" (default: {spec.default})"
        parser.add_argument(spec.flag, help=f"{owners}{spec.help}{shown}", **options)


def _json_object(value: str) -> dict:
    """A setting given on the command line as a JSON object, e.g. '{"ud_plain": 0.25}'."""
    import json

    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"not valid JSON: {error}") from None
    if not isinstance(parsed, dict):
        raise argparse.ArgumentTypeError(f"expected a JSON object, got {value!r}")
    return parsed


def _cmd_evaluate_protocol(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from .classifier import Classifier
    from .evaluation import protocols

    classifier = Classifier.from_pretrained(args.model)
    if args.protocol in protocols.SENTENCE_SETS:
        result = protocols.run_sentence_set(classifier, args.protocol, args.languages)
    else:
        from .data import load_corpus
        from .training import TrainingConfig, protocol_recipe, run_refitting_protocol

        recorded = classifier.model.info.training.get("config", {})
        config = TrainingConfig.from_recorded(recorded, classifier.model.model_type).with_settings(show_progress=False)
        if args.max_train_rows:
            config = config.with_settings(max_train_rows=args.max_train_rows)
        protocol_recipe(config)  # refuses a model too slow to refit before the corpus is read
        corpus = load_corpus(args.data_dir, args.sources)
        result = run_refitting_protocol(args.protocol, config, corpus, args.seeds or (), args.languages, args.held_out_sources)
    print(f"# {classifier.name} {classifier.version}: protocol {args.protocol}\n")
    print(protocols.protocol_markdown(args.protocol, result))
    if args.output_dir:
        folder = Path(args.output_dir)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"protocol_{args.protocol}.json"
        path.write_text(json.dumps({"model": classifier.name, "version": classifier.version, "protocol": args.protocol, "result": result}, indent=1, ensure_ascii=False))
        print(f"wrote {path}")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .classifier import Classifier
    from .data import load_corpus
    from .evaluation.report import evaluate

    if args.protocol != "test":
        return _cmd_evaluate_protocol(args)
    classifier = Classifier.from_pretrained(args.model)
    split = load_corpus(args.data_dir, args.sources, args.languages)[args.split]
    report = evaluate(classifier, split, by=("lang", "source"))
    print(report.to_markdown())
    if args.output_dir:
        folder = Path(args.output_dir)
        folder.mkdir(parents=True, exist_ok=True)
        report.to_json(folder / "report.json")
        (folder / "report.md").write_text(report.to_markdown(), encoding="utf-8")
        for path in report.save_plots(folder):
            print(f"wrote {path}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .serve import ServeConfig, run

    config = ServeConfig(
        model=args.model,
        runtime=args.runtime,
        max_body_bytes=args.max_body_bytes,
        max_inputs=args.max_inputs,
        max_chars=args.max_chars,
        max_batch_texts=args.max_batch_texts,
        max_wait_ms=args.max_wait_ms,
    )
    run(config, host=args.host, port=args.port, workers=args.workers, api_key=args.api_key, log_level="info" if args.verbose else "warning")
    return 0


def _cmd_batch(args: argparse.Namespace) -> int:
    import json

    from .batch import run_batch

    report = run_batch(
        args.input,
        args.output,
        engine=args.engine,
        model=args.model,
        text_column=args.text_column,
        prefix=args.prefix,
        batch_size=args.batch_size,
        evidence=args.evidence,
        num_actors=args.num_actors,
        num_cpus=args.num_cpus,
        ray_address=args.ray_address,
    )
    print(
        f"{report.engine}: {report.files} files, rows in {report.rows_in}, out {report.rows_out}, "
        f"rejected {report.rows_rejected} in {report.seconds:.1f} s -> {report.output}",
        file=sys.stderr,
    )
    for reason, count in report.rejected_reasons.items():
        print(f"  rejected {count}: {reason}", file=sys.stderr)
    print(json.dumps(report.to_dict(), ensure_ascii=False))
    if not report.balanced:
        print("extremism-nlp: error: rows in != rows out + rows rejected", file=sys.stderr)
        return 1
    return 0


def _threshold_rules() -> list[str]:
    from .training.calibration import THRESHOLD_RULES

    return list(THRESHOLD_RULES)


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def build_parser() -> argparse.ArgumentParser:  # noqa: PLR0915 (one statement per option declared)
    parser = argparse.ArgumentParser(prog="extremism-nlp", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    commands = parser.add_subparsers(dest="command", required=True)

    classify = commands.add_parser("classify", help="classify texts given as arguments or in a file")
    classify.add_argument("texts", nargs="*", help="texts to classify (prints a table)")
    classify.add_argument("--model", default="default", help="built-in name or model folder (default: %(default)s)")
    classify.add_argument("--input", help="file of texts: one per line, JSONL or CSV/TSV; - reads standard input")
    classify.add_argument("--format", choices=["lines", "jsonl", "csv"], help="input format (default: from the file extension)")
    classify.add_argument("--text-column", default="text", help="JSONL key or CSV column holding the text (default: %(default)s)")
    classify.add_argument("--output", help="JSONL file to write (default, or -: standard output)")
    classify.add_argument(
        "--resume", action="store_true", help="append to --output after its last complete row instead of starting afresh"
    )
    classify.add_argument("--include-text", action="store_true", help="copy each text into its output row")
    classify.add_argument(
        "--evidence", action="store_true", help="add each decided label's evidence spans (offsets, text, score) to the JSON rows"
    )
    classify.add_argument("--batch-size", type=_positive_int, default=1000, help="texts per batch (default: %(default)s)")
    classify.add_argument("--json", action="store_true", help="JSONL instead of a table for texts given as arguments")
    classify.add_argument("--no-progress", action="store_true", help="no progress bar")
    classify.add_argument("--explain", action="store_true", help="also the words that raised each label and the evidence spans")
    classify.set_defaults(handler=_cmd_classify)

    explain = commands.add_parser("explain", help="one document: decided labels, evidence spans, the words behind them; --html for a page")
    explain.add_argument("text", nargs="?", help="the text (or --input FILE)")
    explain.add_argument("--input", help="a file read whole as one document (UTF-8); - reads standard input")
    explain.add_argument("--model", default="default", help="built-in name or model folder (default: %(default)s)")
    explain.add_argument("--html", help="write a self-contained HTML page with the evidence highlighted here")
    explain.add_argument("--no-words", action="store_true", help="skip the per-word contributions (occlusion is slow on long documents)")
    explain.set_defaults(handler=_cmd_explain)

    train = commands.add_parser(
        "train", help="train a model on the project corpus",
        description="Train a model: settings from a recipe (--config, e.g. configs/fast.json) and the options below, "
        "which override the recipe's; what neither gives takes its default.",
    )  # fmt: skip
    train.add_argument("--config", help="recipe: a JSON file of training settings (the shipped models' are in configs/)")
    _add_training_settings(train)
    train.set_defaults(handler=_cmd_train)

    refit = commands.add_parser(
        "refit-thresholds", help="choose a trained model's thresholds again on the validation split (same weights and scores)",
        description="Fit a trained model's global and per-language thresholds again on the validation split of the corpus "
        "as it is now, by the threshold rule and the floor of plain written texts; weights and Platt scaling are kept, "
        "so its scores do not change. Writes the model folder with the new thresholds, version and card.",
    )  # fmt: skip
    refit.add_argument("--model", required=True, help="built-in name or model folder whose thresholds to refit")
    refit.add_argument("--output", required=True, help="model folder to write (may be the model's own folder)")
    refit.add_argument("--version", required=True, help="version of the refitted model, e.g. 0.3.0")
    refit.add_argument("--threshold-rule", default="shrunk", choices=_threshold_rules(), help="per-language rule (default: %(default)s)")
    refit.add_argument("--data-dir", help="folder of the raw corpora (default: $EXTREMISM_NLP_DATA or ../shared/data)")
    refit.set_defaults(handler=_cmd_refit_thresholds)

    floor = commands.add_parser(
        "raise-floor", help="raise a trained model's thresholds to the floor your own plain texts set (same weights and scores)",
        description="Score plain, harmless texts of your own (your platform's everyday traffic) and raise every threshold "
        "below their --quantile to it, so that about 1 - quantile of such texts are flagged at most. No threshold is "
        "lowered and no corpus is needed; hate caught falls as the thresholds rise. Writes the model folder with the new "
        "thresholds, version, protocol figures and card.",
    )  # fmt: skip
    floor.add_argument("--model", default="default", help="built-in name or model folder (default: %(default)s)")
    floor.add_argument("--texts", required=True, help="a text file (one text a line) or a folder of <lang>.txt files")
    floor.add_argument("--output", required=True, help="model folder to write (may be the model's own folder)")
    floor.add_argument("--version", required=True, help="version of the new model, e.g. 0.15.0+floor")
    floor.add_argument("--quantile", type=float, default=0.995, help="share of the texts left under each threshold (default: %(default)s)")
    floor.set_defaults(handler=_cmd_raise_floor)

    evaluate = commands.add_parser(
        "evaluate", help="metrics per language and label on a corpus split, or a generalisation protocol"
    )
    evaluate.add_argument("--model", default="default")
    evaluate.add_argument(
        "--protocol", default="test", choices=["test", "loso", "crosslingual", "neutral", "counter_speech"],
        help="test: the corpus split; neutral: everyday sentences in many languages (none may be flagged); "
        "counter_speech: replies that push back against hate (at least 85 %% must pass); "
        "loso: train without each source, test on it; crosslingual: train without a language, test on it "
        "(loso and crosslingual retrain the model per fold: fast and frozen_encoder models only)",
    )
    evaluate.add_argument("--max-train-rows", type=int, help="loso, crosslingual: cap on training rows per fold")
    evaluate.add_argument(
        "--seeds", nargs="+", type=int,
        help="loso, crosslingual: run once per seed (each draws its own training sample) and report the spread "
        "of the figures over the draws (default: the model's own seed, once)",
    )  # fmt: skip
    evaluate.add_argument("--held-out-sources", nargs="+", help="loso: leave out only these sources, one fold each (default: every source)")
    evaluate.add_argument("--split", default="test", choices=["train", "validation", "test"])
    evaluate.add_argument("--data-dir")
    evaluate.add_argument("--sources", nargs="+", help="read only these corpora (test, loso, crosslingual)")
    evaluate.add_argument(
        "--languages", nargs="+",
        help="test: score only these languages; neutral, counter_speech: only these sets; crosslingual: leave out these languages (default: ar fr de)",
    )  # fmt: skip
    evaluate.add_argument("--output-dir", help="also write report.json, report.md and PNG plots here")
    evaluate.set_defaults(handler=_cmd_evaluate)

    serve = commands.add_parser("serve", help="HTTP service: /classify (OpenAI moderation shape), Perspective's comments:analyze")
    serve.add_argument("--model", default="default", help="built-in name or model folder (default: %(default)s)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s, this machine only)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="worker processes, each with its own copy of the model")
    serve.add_argument("--api-key", help="require this key (else $EXTREMISM_NLP_API_KEY if set; the variable keeps it out of `ps`)")
    serve.add_argument("--runtime", choices=["torch", "onnx", "onnx-fp32"], help="transformer runtime (default: the model's)")
    serve.add_argument("--max-body-bytes", type=int, default=1_000_000, help="larger bodies get 413 (default: %(default)s)")
    serve.add_argument("--max-inputs", type=int, default=128, help="texts per request; more get 413 (default: %(default)s)")
    serve.add_argument("--max-chars", type=int, default=20_000, help="characters per text; longer get 413 (default: %(default)s)")
    serve.add_argument("--max-batch-texts", type=int, default=64, help="texts the batcher groups for one model call (default: %(default)s)")
    serve.add_argument("--max-wait-ms", type=float, default=2.0, help="how long the batcher waits for more requests (default: %(default)s)")
    serve.set_defaults(handler=_cmd_serve)

    batch = commands.add_parser("batch", help="score a folder of parquet, JSONL or CSV files into parquet, locally or on Ray")
    batch.add_argument("--input", required=True, help="a folder (searched recursively), a glob ('posts/*.jsonl') or a file")
    batch.add_argument("--output", required=True, help="folder to write (new or empty): status=scored/ and status=rejected/")
    batch.add_argument("--engine", choices=["local", "ray"], default="local", help="a loop in this process, or Ray (default: %(default)s)")
    batch.add_argument("--model", default="fast", help="built-in name or model folder (default: %(default)s)")
    batch.add_argument("--text-column", default="text", help="column or JSON field with the text (default: %(default)s)")
    batch.add_argument("--prefix", default="", help="prefix of the added columns, when the input has a 'label' column already")
    batch.add_argument("--batch-size", type=_positive_int, default=1000)
    batch.add_argument("--evidence", action="store_true", help="add an 'evidence' column: the spans that decided each label, as JSON text")
    batch.add_argument("--num-actors", type=int, help="ray: model copies scoring in parallel (default: the cluster's CPUs)")
    batch.add_argument("--num-cpus", type=int, help="ray: CPUs of the local instance started here (default: all)")
    batch.add_argument("--ray-address", help="ray: an existing cluster (default: $RAY_ADDRESS, else a local instance)")
    batch.set_defaults(handler=_cmd_batch)

    data = commands.add_parser("data", help="inspect the training corpus")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    stats = data_commands.add_parser("stats", help="rows per source, language, label and split; duplicates; skipped rows")
    stats.add_argument("--data-dir", help="folder of the raw corpora (default: $EXTREMISM_NLP_DATA or ../shared/data)")
    stats.add_argument("--sources", nargs="+", help="registry names to include (default: all present)")
    stats.add_argument("--rebuild", action="store_true", help="ignore the cache and rebuild from the raw files")
    stats.set_defaults(handler=_cmd_data_stats)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    package_logger = logging.getLogger("extremism_nlp")
    level = package_logger.level
    if args.command == "train":
        # Training takes minutes to hours: its stages (corpus, features, fitting, calibration,
        # evaluation) are reported without -v.
        package_logger.setLevel(logging.INFO)
    try:
        return args.handler(args)
    except BrokenPipeError:  # `extremism-nlp ... | head`
        return 0
    except (OSError, ValueError, TypeError, ImportError) as error:
        # Errors the user can act on: say what was wrong and how to fix it, no traceback.
        print(f"extremism-nlp: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("extremism-nlp: interrupted", file=sys.stderr)
        return 130
    finally:
        package_logger.setLevel(level)


if __name__ == "__main__":
    sys.exit(main())
