"""Write benchmarks/RESULTS.md from the committed JSON results, so the page never drifts
from the measured figures.

    python benchmarks/report.py
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
RESULTS_DIR = HERE / "results"
MODELS_DIR = HERE.parent / "extremism_nlp" / "resources" / "models"
MAIN_LANGUAGES = ["all", "ar", "en", "fr", "de", "ru", "tr", "ur"]
LABELS = ["extremism", "violence", "hate", "offensive"]


def _load(name: str) -> dict | None:
    path = RESULTS_DIR / name
    return json.loads(path.read_text()) if path.is_file() else None


def _shipped_training(name: str, version: str) -> dict | None:
    """What a built-in model's shipped config.json records of its training, when the shipped
    version is the one measured."""
    path = MODELS_DIR / name / "config.json"
    if not path.is_file():
        return None
    info = json.loads(path.read_text())
    return info.get("training", {}) if info.get("version") == version else None


def _own_test_rows(name: str, version: str) -> int | None:
    """Size of the test split a built-in model was fitted beside."""
    training = _shipped_training(name, version)
    return None if training is None else training.get("rows", {}).get("test")


def _sources_left_out(name: str, version: str) -> list[str]:
    """Labelled sources a built-in model was not trained on (its config names the others)."""
    from extremism_nlp.data.registry import LABELLED_SOURCES

    chosen = (_shipped_training(name, version) or {}).get("config", {}).get("sources")
    return sorted(set(LABELLED_SOURCES) - set(chosen)) if chosen else []


def _f(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _quality_section(quality: dict) -> list[str]:
    lines = ["## Quality on the test split", ""]
    models = quality["models"]
    lines.append(f"{quality['rows']} test rows of the project corpus (see `data/DATASHEET.md`); no model fitted on this build trained on them.")
    # A split is cut by position within each stratum, so a model fitted on an earlier corpus
    # build may have trained on some of today's test rows.
    left_out = {m: names for m, e in models.items() if (names := _sources_left_out(m, e["version"]))}
    for m, names in left_out.items():
        lines.append(f"{m} {models[m]['version']} was trained without {', '.join(names)}; {'its' if len(names) == 1 else 'their'} test rows in this split are scored here all the same.")
    earlier = {
        m: rows for m, e in models.items() if m not in left_out and (rows := _own_test_rows(m, e["version"])) not in (None, quality["rows"])
    }
    if earlier:
        named = ", ".join(f"{m} {models[m]['version']} ({rows:,} test rows)" for m, rows in earlier.items())
        lines.append(f"Fitted on an earlier build of the corpus, whose splits differ: {named}; some of these rows may have been in their training split.")
    lines.append("Macro-F1 averages the labels with positives in that language's rows.")
    lines.append("")
    lines.append("| lang | rows | " + " | ".join(f"{m} macro-F1" for m in models) + " |")
    lines.append("|---|---|" + "---|" * len(models))
    first = next(iter(models.values()))["by_lang"]
    for lang in MAIN_LANGUAGES:
        if lang in first:
            cells = " | ".join(_f(models[m]["by_lang"].get(lang, {}).get("macro_f1")) for m in models)
            lines.append(f"| {lang} | {first[lang]['rows']} | {cells} |")
    for name, entry in models.items():
        lines += ["", f"### {name} {entry['version']}: F1 per label and language", ""]
        lines.append("| lang | " + " | ".join(f"{label} F1 (n)" for label in LABELS) + " |")
        lines.append("|---|" + "---|" * len(LABELS))
        for lang in MAIN_LANGUAGES:
            if lang not in entry["by_lang"]:
                continue
            per = entry["by_lang"][lang]["labels"]
            lines.append(
                f"| {lang} | "
                + " | ".join(f"{_f(per[label]['f1']) if per[label]['support'] else '–'} ({per[label]['support']})" for label in LABELS)
                + " |"
            )
    if quality.get("peers"):
        lines += ["", "## Side by side with offline peers", ""]
        lines.append("Same test rows of the peer's language; macro-F1 over the labels the peer covers only.")
        lines.append("")
        lines.append("| peer | lang | rows | labels compared | peer | " + " | ".join(models) + " |")
        lines.append("|---|---|---|---|---|" + "---|" * len(models))
        for peer, entry in quality["peers"].items():
            if "error" in entry:
                lines.append(f"| {peer} | – | – | – | unavailable | " + " | ".join("–" for _ in models) + " |")
                continue
            cells = " | ".join(_f(entry["models_macro_f1"].get(m)) for m in models)
            lines.append(f"| {peer} | {entry['language']} | {entry['rows']} | {', '.join(entry['labels'])} | {_f(entry['peer_macro_f1'])} | {cells} |")
    return lines


def _suite_cases(result: dict) -> int:
    """How many functional-suite cases a recorded result was scored on."""
    return sum(cell[kind]["cases"] for cell in result["summary"].values() for kind in ("harmful", "non_harmful"))


def _functional_section(quality: dict, protocols: dict) -> list[str]:
    """Each model's suite result from run_quality.py, with a note where it was scored on fewer
    cases than a later run_protocols.py result (the suite grew since run_quality ran)."""
    functional = quality.get("functional") or {}
    if not functional:
        return []
    recorded = list(functional.values())
    recorded += [r["functional"]["result"] for r in protocols.values() if (r.get("functional") or {}).get("result")]
    largest = max(_suite_cases(result) for result in recorded)
    lines = [
        "## Functional suite: use versus mention",
        "",
        "Pass rate per functionality and language (`extremism_nlp/resources/functional/README.md`).",
        "Targets for the default model (issue 14): harmful >= 70 %, non-harmful >= 90 % in each of ar, en, fr.",
        "",
    ]
    for name, result in functional.items():
        langs = sorted(result["summary"])
        lines += [f"### {name} {result['version']}", ""]
        if _suite_cases(result) < largest:
            lines += [
                f"Scored on {_suite_cases(result):,} cases, before the suite grew to {largest:,} (its README, \"History\");"
                " \"Generalisation protocols\" below has the models scored on the whole suite.",
                "",
            ]
        lines.append("| lang | harmful | non-harmful | targets met |")
        lines.append("|---|---|---|---|")
        for lang in langs:
            s = result["summary"][lang]
            met = s["harmful"]["pass_rate"] >= 0.70 and s["non_harmful"]["pass_rate"] >= 0.90
            lines.append(f"| {lang} | {s['harmful']['pass_rate']:.0%} | {s['non_harmful']['pass_rate']:.0%} | {'yes' if met else '**no**'} |")
        lines += ["", "| functionality | kind | " + " | ".join(langs) + " |", "|---|---|" + "---|" * len(langs)]
        for func, cells in result["by_functionality"].items():
            kind = "harmful" if func in result["harmful_functionalities"] else "non-harmful"
            lines.append(f"| {func} | {kind} | " + " | ".join(f"{cells[lang]['pass_rate']:.0%}" if lang in cells else "–" for lang in langs) + " |")
        lines += ["", f"Identity-term bias ({name}; harm score = max of extremism, violence, hate):", ""]
        lines.append("| lang | group | subgroup AUC | BPSN AUC | BNSP AUC |")
        lines.append("|---|---|---|---|---|")
        for lang, groups in result["bias"].items():
            for group, m in groups.items():
                lines.append(f"| {lang} | {group} | {_f(m['subgroup_auc'])} | {_f(m['bpsn_auc'])} | {_f(m['bnsp_auc'])} |")
        lines.append("")
    return lines


def _count(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,}"


def _speed_section() -> list[str]:
    files = sorted(p for p in RESULTS_DIR.glob("speed_*.json") if not p.name.endswith("_runtimes.json"))
    if not files:
        return []
    lines = ["## Speed and memory", "", "Medians of fresh processes on the machine named; tweet-length texts.", ""]
    lines.append("| model | texts | load s | latency median ms | latency p99 ms | texts/s batch 1 | batch 32 | batch 1000 | peak RSS MB | machine |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for path in files:
        s = json.loads(path.read_text())
        t = s["throughput_per_s"]
        lines.append(
            f"| {s['model']} | {s['texts']:,} | {s['load_s']:.2f} | {s['latency_median_ms']:.2f} | {s['latency_p99_ms']:.2f} | "
            f"{_count(t.get('1'))} | {_count(t.get('32'))} | {_count(t.get('1000'))} | {s['peak_rss_mb']:.0f} | {s['machine']} |"
        )
    return lines


def _peer_speed_section() -> list[str]:
    lines = []
    for path in sorted(RESULTS_DIR.glob("peer_speed_*.json")):
        r = json.loads(path.read_text())
        ours_p, ours_c, peer, ratio = r["ours_predict_proba"], r["ours_classify"], r["peer_predict_prob"], r["ratio_predict_proba_to_peer"]
        # results from before classify() identified languages lazily have no such columns
        ours_l, ratio_c = r.get("ours_classify_reading_lang"), r.get("ratio_classify_to_peer")
        lang_head, lang_rule = (" fast `classify()`, every `.lang` read |", "---|") if ours_l else ("", "")
        classify_head, classify_rule = (" `classify()` ratio |", "---|") if ratio_c else ("", "")
        lines += [
            f"## fast against {r['peer']}, side by side",
            "",
            f"`bench_speed.py --peer {r['peer']}`: {r['texts']:,} tweet-length texts, 1 kB and 10 kB texts; medians of "
            f"{r['runs']} alternating fresh processes each, so both met the same load on a shared machine "
            f"({r['machine']}). Texts per second; the ratio is fast's `predict_proba` over the peer's `predict_prob`"
            + (" (and `classify()` over it)." if ratio_c else "."),
            "",
            f"| texts/s | fast `predict_proba` | fast `classify()` |{lang_head} {r['peer']} `predict_prob` | ratio |{classify_head}",
            f"|---|---|---|{lang_rule}---|---|{classify_rule}",
        ]
        for key, label in (("batch_1000", "batch 1,000"), ("batch_1", "batch 1"), ("1kB", "1 kB texts"), ("10kB", "10 kB texts")):
            lang_cell = f" {ours_l[key]:,.0f} |" if ours_l else ""
            ratio_cell = f" {ratio_c[key]:.2f}x |" if ratio_c else ""
            lines.append(f"| {label} | {ours_p[key]:,.0f} | {ours_c[key]:,.0f} |{lang_cell} {peer[key]:,.0f} | {ratio[key]:.2f}x |{ratio_cell}")
        for key, label in (("latency_median_ms", "one text, median ms"), ("latency_p99_ms", "one text, p99 ms")):
            lang_cell = f" {ours_l[key]:.2f} |" if ours_l else ""
            lines.append(f"| {label} | {ours_p[key]:.2f} | {ours_c[key]:.2f} |{lang_cell} {peer[key]:.2f} | |" + (" |" if ratio_c else ""))
        alone = r.get("load_alone_s")
        alone_text = f"; load alone in {alone['processes']} fresh processes: median {alone['median']:.2f} s, max {alone['max']:.2f} s" if alone else ""
        lines += [
            "",
            f"Load {r['load_s']['ours']:.2f} s (peer {r['load_s']['peer']:.2f} s){alone_text}{';' if alone else ','} then first calls "
            f"{r['first_calls_s']['ours']:.2f} s (peer {r['first_calls_s']['peer']:.2f} s); peak RSS of a process "
            f"classifying 100,000 texts in one call: {r['peak_rss_mb_100k_texts']:.0f} MB.",
            "",
        ]
        if "baseline" in r:  # before and after a change, in the same alternation
            lines += [
                f"Before and after, in the same run: the library as {r['baseline']}, timed in the same alternating processes.",
                "",
                "| texts/s | before: `predict_proba` | `classify()` | after: `predict_proba` | `classify()` | after / before |",
                "|---|---|---|---|---|---|",
            ]
            base_p, base_c = r["baseline_predict_proba"], r["baseline_classify"]
            for key, label in (("batch_1000", "batch 1,000"), ("batch_1", "batch 1"), ("1kB", "1 kB texts"), ("10kB", "10 kB texts")):
                lines.append(
                    f"| {label} | {base_p[key]:,.0f} | {base_c[key]:,.0f} | {ours_p[key]:,.0f} | {ours_c[key]:,.0f} | "
                    f"{r['ratio_predict_proba_to_baseline'][key]:.2f}x / {r['ratio_classify_to_baseline'][key]:.2f}x |"
                )
            lines.append("")
    return lines


def _runtimes_section() -> list[str]:
    """Runtimes of one model timed in turn in one process (bench_speed.py --compare-runtimes),
    and their scores compared on the functional suite and neutral sets (compare_runtimes.py)."""
    lines = []
    for path in sorted(RESULTS_DIR.glob("speed_*_runtimes.json")):
        r = json.loads(path.read_text())
        first, ratios = r["runtimes"][0], r["ratio_to_" + r["runtimes"][0]]
        lines += [
            f"## {r['model']}: runtimes timed in turn (`bench_speed.py --compare-runtimes`)",
            "",
            f"{r['texts']} tweet-length texts (batch 1: the first 100); every runtime loaded in one process and timed in "
            f"turn on the same texts, medians of {r['runs']} runs; the ratio is the median of the per-run ratios to "
            f"{first}. Load average after the runs: {r['load_average']}; {r['machine']}.",
            "",
            "| batch | " + " | ".join(f"{rt} texts/s" for rt in r["runtimes"]) + " | " + " | ".join(f"{rt} / {first}" for rt in ratios) + " |",
            "|---|" + "---|" * (len(r["runtimes"]) + len(ratios)),
        ]
        for batch in r["throughput_per_s"][first]:
            cells = " | ".join(f"{r['throughput_per_s'][rt][batch]:,}" for rt in r["runtimes"])
            lines.append(f"| {batch} | {cells} | " + " | ".join(f"{ratios[rt][batch]:.2f}x" for rt in ratios) + " |")
        if "texts_per_cpu_s" in r:
            for batch in r["texts_per_cpu_s"][first]:
                cpu = r["texts_per_cpu_s"]
                cells = " | ".join(f"{cpu[rt][batch]:,}" for rt in r["runtimes"])
                cpu_ratios = " | ".join(f"{cpu[rt][batch] / cpu[first][batch]:.2f}x" for rt in ratios)
                lines.append(f"| {batch}, per CPU-second | {cells} | {cpu_ratios} |")
        load = ", ".join(f"{rt} {s:.2f} s" for rt, s in r["load_s"].items())
        lines += ["", f"Load: {load}. Largest probability difference on these texts: {r['max_abs_probability_difference']:.1e}.", ""]
    for path in sorted(RESULTS_DIR.glob("runtimes_*.json")):
        r = json.loads(path.read_text())
        suite_langs = sorted({lang for summary in r["summaries"].values() for lang in summary["functional"]})
        lines += [
            f"## {r['model']}: {r['candidate']} against {r['reference']}, scores (`compare_runtimes.py`)",
            "",
            f"{r['texts']:,} texts: the functional suite ({', '.join(suite_langs)}) and the neutral sets (14 languages), scored by both runtimes.",
            "",
            "| largest probability difference | mean | same decided labels | same headline label | within tolerance |",
            "|---|---|---|---|---|",
            f"| {r['max_abs_probability_difference']:.1e} | {r['mean_abs_probability_difference']:.1e} | "
            f"{r['same_decided_labels']:,} / {r['texts']:,} | {r['same_headline_label']:,} / {r['texts']:,} | "
            f"{'yes' if r['within_tolerance'] else 'no'} ({r['tolerance']:g}, every label the same) |",
            "",
            f"| runtime | functional {suite_langs[0]} harmful / non-harmful | " + " | ".join(suite_langs[1:]) + " | neutral flagged |",
            "|---|---|" + "---|" * len(suite_langs),
        ]
        for runtime, summary in r["summaries"].items():
            f = summary["functional"]
            cells = " | ".join(f"{f[lang]['harmful']} / {f[lang]['non_harmful']}" if lang in f else "n/a" for lang in suite_langs)
            lines.append(f"| {runtime} | {cells} | {summary['neutral_flagged']} |")
        lines.append("")
    return lines


def _onnx_section() -> list[str]:
    files = sorted(RESULTS_DIR.glob("onnx_*.json"))
    lines = []
    for path in files:
        r = json.loads(path.read_text())
        lines += [
            f"## {r['model']}: ONNX Runtime int8 against torch fp32",
            "",
            f"{r['rows']} test rows (a fixed sample of {r['rows_per_language']} per language); "
            "throughput on tweet-length texts at batch 32. Both runtimes read the same rows: the figures "
            "compare the runtimes, not the model with others (it may predate the current corpus).",
            "",
            "| runtime | texts/s | " + " | ".join(f"macro-F1 {k}" for k in r["torch"]["macro_f1"]) + " |",
            "|---|---|" + "---|" * len(r["torch"]["macro_f1"]),
        ]
        for runtime in ("torch", "onnx"):
            cells = " | ".join(_f(r[runtime]["macro_f1"].get(k)) for k in r["torch"]["macro_f1"])
            lines.append(f"| {runtime} | {r[runtime]['texts_per_s']} | {cells} |")
        lines += ["", f"Speed-up {r['speedup']}x; macro-F1 points lost: {r['macro_f1_lost_points']}.", ""]
    return lines


def _corpus_section() -> list[str]:
    corpus = _load("corpus.json")
    if not corpus:
        return []
    return [
        "## Corpus build",
        "",
        f"{corpus['rows']} rows; cold build from the raw files {corpus['cold_build_s']} s (target < 60 s); "
        f"cached load {corpus['cached_load_median_s']} s median (target < 5 s); {corpus['machine']}.",
    ]


def _protocols_section() -> list[str]:
    protocols = _load("protocols.json")
    if not protocols:
        return []
    lines = [
        "## Generalisation protocols",
        "",
        "Written by `benchmarks/run_protocols.py` (see the README, \"Generalisation protocols\"). Model and",
        "threshold choices are made on these and on validation, not on the test split alone.",
        "`loso` and `crosslingual` refit a recipe per fold (not the fine-tuned `stack`: hours per fold on",
        "a CPU); a `frozen_encoder` recipe's fold trains on the 60,000-row sample the shipped model drew,",
        "less the held-out rows, and calibrates on its own sources' validation rows less the held-out ones.",
        "A `crosslingual` fold leaves out the held-out language's rows and the project's written examples in",
        f"the languages written together with it ({_written_alongside(protocols)}), and is",
        "scored on all the language's test rows, on its natural rows alone (the written ones left out), and",
        "on the natural rows labelled text by text (without the ISIS fan-boy tweets, labelled by the account",
        "that posted them: `ACCOUNT_LABELLED_SOURCES`; recorded from 2026-12-05, \"–\" before);",
        "until 2026-12-04 it left out every written example, and those figures are in docs/MODELS.md.",
        "",
    ]
    lines += _protocol_table(
        protocols, "neutral", "### Neutral everyday sentences: share flagged (target: at most 1 % in every language)",
        lambda result: result, _share_flagged,
    )
    lines += _protocol_table(
        protocols, "counter_speech",
        "### Counter-speech: replies that push back against hate, share flagged (target: at most 15 % in every language)",
        lambda result: result, _share_flagged,
    )
    lines += _protocol_table(
        protocols, "functional", "### Functional suite: harmful caught / non-harmful passed (targets: >= 70 % / >= 90 %)",
        lambda result: result["summary"],
        lambda cell: f"{cell['harmful']['pass_rate']:.0%} / {cell['non_harmful']['pass_rate']:.0%}",
        note=_smaller_suites(protocols),
    )
    every_row = (  # under the first table with the column; the loso tables below have it too
        "\"every row flagged\" is the macro-F1 of flagging every held-out row, the same for every model: where a"
        " model's macro-F1 is near it, the figure measures how much the model flags, not how well it tells rows apart."
        " PR-AUC (average precision, mean over the labels scored) ranks the rows by score, whatever the thresholds;"
        " a label's chance level is its share of positives."
    )
    lines += _protocol_table(
        protocols, "crosslingual",
        "### Cross-lingual: macro-F1 on a language left out of training (all its test rows / its natural rows alone / "
        "those labelled text by text)",
        _crosslingual_subsets(""), " / ".join, baseline=_crosslingual_subsets(", every row flagged"), note=every_row,
    )
    lines += _protocol_table(
        protocols, "crosslingual", "### Cross-lingual: macro PR-AUC on a language left out of training (the same rows)",
        _crosslingual_subsets(", PR-AUC"), " / ".join,
    )
    lines += _protocol_table(
        protocols, "loso",
        "### Leave one source out: macro-F1 on held-out sources, per language the mean of the natural sources' folds / "
        "the written examples' fold (trained without any written example)",
        _loso_natural_and_written(""), " / ".join, baseline=_loso_natural_and_written(", every row flagged"),
    )
    lines += _protocol_table(
        protocols, "loso", "### Leave one source out: macro PR-AUC on held-out sources (the same folds)",
        _loso_natural_and_written(", PR-AUC"), " / ".join,
    )
    for model, recorded in protocols.items():
        entry = recorded.get("loso")
        if entry and "draws" not in entry["result"]:  # several draws: their spread is in the table above
            lines += [f"{model}: every fold (held-out source/language, F1 per label scored):", ""]
            lines += [f"- {k}: " + ", ".join(f"{label} {_f(f['labels'][label]['f1'])}" for label in f["labels_scored"])
                      + f"; macro {_f(f['macro_f1'])}" for k, f in entry["result"]["folds"].items()]  # fmt: skip
            lines.append("")
    return lines


def _loso_natural_and_written(suffix: str):
    """Per language, a figure (`protocols.FIGURE_SUFFIXES`: ``suffix``) of the folds that
    hold out a natural source and of the fold that holds out the written examples
    (`protocols.loso_means_by_lang`); over several draws, their means and spreads."""

    def by_lang(result: dict) -> dict[str, tuple[str, str]]:
        return {
            lang: (figures.get(f"{lang}, natural folds{suffix}", "–"), figures.get(f"{lang}, written folds{suffix}", "–"))
            for lang, figures in _figures_by_lang("loso", result).items()
        }

    return by_lang


def _crosslingual_subsets(suffix: str):
    """Per held-out language, a figure (`protocols.FIGURE_SUFFIXES`: ``suffix``) on each of
    `protocols.CROSSLINGUAL_SUBSETS`; over several draws, their means and spreads."""
    from extremism_nlp.evaluation.protocols import CROSSLINGUAL_SUBSETS

    def by_lang(result: dict) -> dict[str, tuple[str, ...]]:
        return {
            lang: tuple(figures.get(f"{lang}, {subset}{suffix}", "–") for subset in CROSSLINGUAL_SUBSETS.values())
            for lang, figures in _figures_by_lang("crosslingual", result).items()
        }

    return by_lang


def _figures_by_lang(protocol: str, result: dict) -> dict[str, dict[str, str]]:
    """A refitting protocol's headline figures (`protocols.headline_figures`), formatted and
    grouped by language: one draw's as they are, several draws' as "mean (lowest–highest)"."""
    from extremism_nlp.evaluation.protocols import headline_figures, over_draws

    if "draws" in result:
        # From the stored draws, not the stored figures: figures added since a run show too.
        formatted = {
            figure: _f(spread["mean"]) if spread["min"] == spread["max"] else f"{_f(spread['mean'])} ({_f(spread['min'])}–{_f(spread['max'])})"
            for figure, spread in over_draws(protocol, result["draws"])["figures"].items() if spread.get("mean") is not None
        }  # fmt: skip
    else:
        formatted = {figure: _f(value) for figure, value in headline_figures(protocol, result).items() if value is not None}
    by_lang: dict[str, dict[str, str]] = {}
    for figure, text in formatted.items():
        by_lang.setdefault(figure.split(",")[0], {})[figure] = text
    return by_lang


def _one_draw(result: dict) -> dict:
    """A protocol result of one draw: the result itself, or the first of several draws'."""
    return next(iter(result["draws"].values())) if "draws" in result else result


def _written_alongside(protocols: dict) -> str:
    """The languages whose written examples each cross-lingual fold left out with its own,
    as the folds recorded them ("ar: en, fr; ...")."""
    alongside: dict[str, list[str]] = {}
    for recorded in protocols.values():
        for lang, fold in _one_draw((recorded.get("crosslingual") or {}).get("result") or {}).get("folds", {}).items():
            alongside.setdefault(lang, [other for other in fold.get("written_alongside", []) if other != lang])
    return "; ".join(f"{lang}: {', '.join(others)}" for lang, others in alongside.items())


def _smaller_suites(protocols: dict) -> str:
    """A note naming the models whose functional suite result has fewer cases than the largest
    one: recorded before the suite grew, so their rates are over other cases."""
    cases = {
        f"{model} {recorded['version']}": _suite_cases(result)
        for model, recorded in protocols.items()
        if (result := (recorded.get("functional") or {}).get("result"))
    }
    if not cases:
        return ""
    largest = max(cases.values())
    smaller = [f"{name} ({n:,} cases)" for name, n in cases.items() if n < largest]
    if not smaller:
        return ""
    return (
        f"Scored on the suite as it was when recorded, smaller than the {largest:,} cases of the others (the suite's "
        f"README, \"History\"): {'; '.join(smaller)}."
    )


def _share_flagged(cell: dict) -> str:
    """A sentence set's cell (`protocols.SENTENCE_SETS`): share and count flagged."""
    return f"{cell['flagged_rate']:.1%} ({cell['flagged']}/{cell['sentences']})"


def _protocol_table(protocols: dict, protocol: str, title: str, by_lang, show, baseline=None, note: str = "") -> list[str]:
    """One row per language, one column per model: ``show`` of the model's cell for that
    language in ``by_lang(result)``, "–" where the model has no such cell; with ``baseline``,
    a last column of a figure the same for every model (``show`` of the first model's cell in
    ``baseline(result)``), explained by ``note`` under the table."""

    def cells_by_model(by_lang) -> dict[str, dict]:
        tables = {}
        for model, recorded in protocols.items():
            try:
                tables[model] = by_lang((recorded.get(protocol) or {})["result"])
            except (KeyError, TypeError):
                tables[model] = {}
        return tables

    tables = cells_by_model(by_lang)
    baselines = list(cells_by_model(baseline).values()) if baseline else []
    langs = sorted({lang for table in tables.values() for lang in table})
    if not langs:
        return []
    header = [f"{m} {protocols[m]['version']}" for m in protocols] + (["every row flagged"] if baseline else [])
    lines = [title, "", "| lang | " + " | ".join(header) + " |", "|---|" + "---|" * len(header)]
    for lang in langs:
        cells = []
        for model in protocols:
            try:
                cells.append(show(tables[model][lang]))
            except (KeyError, TypeError):
                cells.append("–")
        if baseline:
            cells.append(next((show(table[lang]) for table in baselines if lang in table), "–"))
        lines.append(f"| {lang} | " + " | ".join(cells) + " |")
    drawn = [
        f"{model} {protocols[model]['version']} from seeds {', '.join(map(str, result['seeds']))}"
        for model, recorded in protocols.items()
        if "draws" in (result := (recorded.get(protocol) or {}).get("result") or {})
    ]
    if drawn:
        lines += ["", f"Mean (lowest–highest) over draws of the training sample: {'; '.join(drawn)}; the other models one draw."]
    return lines + (["", note] if note else []) + [""]


def _serve_section() -> list[str]:
    serve = _load("serve.json")
    if not serve:
        return []
    lines = [
        "## HTTP service under load (`bench_serve.py`)",
        "",
        "`extremism-nlp serve` on 127.0.0.1, one worker; N concurrent clients on the same cores send one "
        "functional-suite text per `POST /classify`. Serial: the same texts one request at a time. "
        "Server (client) CPU ms/req: the server (load generator) process's CPU time over the load phase "
        "per request, less sensitive to other load on the shared machine than req/s. Labels as serial: answers under load whose "
        f"labels equal the serial answer's. {serve['machine']}.",
        "",
        "| model | clients | requests ok | errors | req/s | p50 ms | p99 ms | serial req/s | serial p50 ms | server CPU ms/req "
        "| client CPU ms/req | mean batch | labels as serial | max score diff | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in serve["rows"]:
        lines.append(
            f"| {r['model']} | {r['clients']} | {r['ok']} | {r['errors']} | {r['requests_per_s']} | {r['p50_ms']} | {r['p99_ms']} | "
            f"{r['serial_requests_per_s']} | {r['serial_p50_ms']} | {r['server_cpu_ms_per_request']} | {r.get('client_cpu_ms_per_request')} | {r['mean_batch_texts']} | "
            f"{r['results_compared'] - r['label_mismatches']}/{r['results_compared']} | {r['max_score_difference']:.2g} | "
            f"{r['load_average_1min']} |"
        )
    return lines


def _batch_section() -> list[str]:
    batch = _load("batch.json")
    if not batch:
        return []
    lines = [
        "## Batch job: Ray against the local loop (`bench_batch.py`)",
        "",
        f"`run_batch` on a generated parquet folder ({batch['local']['files']} files), model {batch['local']['model']}; "
        f"Ray on a local instance of {batch.get('cpus', 2)} CPUs started before the clock ({batch['ray_start_s']} s). {batch['machine']}.",
        "",
        "| engine | rows in | rows out | rejected | balanced | seconds | rows/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for engine in ("local", "ray"):
        r = batch[engine]
        lines.append(
            f"| {engine} | {r['rows_in']:,} | {r['rows_out']:,} | {r['rows_rejected']:,} | {r['balanced']} | {r['seconds']} | {r['rows_per_s']:,} |"
        )
    lines += ["", f"Ray / local speed {batch['speedup']}x; scored rows identical: {batch['identical']}."]
    return lines


def _reliability_section() -> list[str]:
    result = _load("reliability.json")
    if not result:
        return []

    def cell(value) -> str:
        return "" if value is None else str(value).replace("|", "\\|")

    lines = [
        "## Reliability",
        "",
        "`python benchmarks/bench_reliability.py [--with-default]`: bad inputs and failure modes re-run through the",
        f"command line (fresh processes) and the API, model `{result['model']}`; {result['machine']}. For file jobs, rows",
        "in (records read) against rows written + rows reported (skipped with their line). The committed bad-input",
        "corpus is `tests/bad_inputs/`; `tests/test_properties.py` runs hypothesis over the same paths.",
        "",
        "| probe | outcome | rows in | rows out | rows reported | ok |",
        "|---|---|---|---|---|---|",
    ]
    for probe in result["probes"] + result.get("default_probes", []):
        lines.append(
            f"| {cell(probe['probe'])} | {cell(probe['outcome'])} | {cell(probe.get('rows_in'))} | {cell(probe.get('rows_out'))} "
            f"| {cell(probe.get('rows_reported'))} | {'yes' if probe['ok'] else '**no**'} |"
        )
    if cache := result.get("cache_check"):
        lines += [
            "",
            f"Checking the cached base encoder's files against their recorded SHA-256 ({cache['base_encoder_mb']} MB) costs "
            f"{cache['verify_seconds_median']} s (median of 3), once per process, at the first load.",
        ]
    return lines


def _documents_section() -> list[str]:
    r = _load("documents.json")
    if not r:
        return []
    lines = [
        "## Documents: sentence-level reading (`bench_documents.py`)",
        "",
        "Texts longer than the model's window are read sentence by sentence (`extremism_nlp.documents`).",
        "Words per second of `classify()` on one benign document (median of the runs shown):",
        "",
        "| model | size | words | sentences | seconds | words/s |",
        "|---|---|---|---|---|---|",
    ]
    models = [name for name in ("fast", "default") if name in r]
    for name in models:
        for row in r[name]["throughput"]:
            lines.append(f"| {name} {r[name]['version']} | {row['kb']:,} kB | {row['words']:,} | {row['sentences']:,} | {row['seconds']} | {row['words_per_s']:,} |")
    if "one_mb_under_5_s" in r.get("fast", {}):
        lines += ["", f"A 1 MB document under 5 s with `fast`: {'met' if r['fast']['one_mb_under_5_s'] else 'NOT met'}."]
    lines += [
        "",
        "Planted sentence: a benign document (2-12 kB, one of seven languages) with one threat or recruitment sentence",
        "(five languages) at a random place. Only planted sentences the model flags with their label on their own count.",
        "",
        "| model | documents | planted flagged alone | documents flagged | evidence exactly at the sentence | evidence covering it | release's passages flagged |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in models:
        p = r[name].get("planted")
        if p:
            lines.append(
                f"| {name} | {p['documents']} | {p['flagged_alone']} | {p['document_flagged']} | {p['evidence_at_planted']} | "
                f"{p['evidence_covers_planted']} | {p['passages_flagged']} |"
            )
    lines += [
        "",
        "Long news articles (longer than the window; saudinewsnet_ar_news and masakhanews_en_fr, whole articles) flagged,",
        "now and as the release read them (passages of the model's window, the highest passage score per label):",
        "",
        "| model | articles | flagged now | by language | release's passages | by language |",
        "|---|---|---|---|---|---|",
    ]
    for name in models:
        n = r[name].get("news")
        if n:
            def langs(d: dict) -> str:
                return ", ".join(f"{k} {v}" for k, v in d.items())

            lines.append(
                f"| {name} | {n['articles']} ({langs(n['by_language'])}) | {n['flagged']} | {langs(n['flagged_by_language'])} | "
                f"{n['flagged_passages']} | {langs(n['flagged_passages_by_language'])} |"
            )
    lines += [""] + [f"{name}: {r[name].get('machine', 'machine not recorded')}." for name in models]
    return lines


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def thresholds_lines(comparison: dict) -> list[str]:
    """Two versions of a model with the same scores and different thresholds, side by side
    (`compare_thresholds.py`)."""
    a, b = comparison["models"]
    names = f"{a['name']} {a['version']}", f"{b['name']} {b['version']}"
    lines = [f"Largest score difference on {comparison['texts_compared']:,} texts: {comparison['max_score_difference']:.1e}.", ""]
    lines += [f"| functional harmful / non-harmful % | {names[0]} | {names[1]} |", "|---|---|---|"]
    for lang in sorted(a["functional"]):
        fa, fb = a["functional"][lang], b["functional"][lang]
        lines.append(f"| {lang} | {_pct(fa['harmful'])} / {_pct(fa['non_harmful'])} | {_pct(fb['harmful'])} / {_pct(fb['non_harmful'])} |")
    lines += ["", f"| neutral sentences flagged | {names[0]} | {names[1]} |", "|---|---|---|"]
    lines += [f"| {lang} | {a['neutral'][lang]} | {b['neutral'][lang]} |" for lang in sorted(a["neutral"])]
    lines.append(f"| all ({a['neutral_sentences']:,}) | {sum(a['neutral'].values())} | {sum(b['neutral'].values())} |")
    lines += ["", f"| test macro-F1 ({a['test_rows']:,} rows) | {names[0]} | {names[1]} |", "|---|---|---|"]
    lines += [f"| {lang} | {_f(a['test_macro_f1'][lang])} | {_f(b['test_macro_f1'].get(lang))} |" for lang in a["test_macro_f1"]]
    lines += [
        "",
        f"Speed-benchmark tweets in the threshold band (their language is identified in `classify()`): "
        f"{names[0]} {_pct(a['band_share'])} %, {names[1]} {_pct(b['band_share'])} %.",
    ]
    return lines


def _thresholds_section() -> list[str]:
    lines = []
    for path in sorted(RESULTS_DIR.glob("thresholds_*.json")):
        comparison = json.loads(path.read_text())
        a, b = comparison["models"]
        lines += [f"## {a['name']} {a['version']} against {b['version']}: thresholds refitted (`compare_thresholds.py`)", ""]
        lines += thresholds_lines(comparison) + [""]
    for path in sorted(RESULTS_DIR.glob("against_*.json")):
        timed = json.loads(path.read_text())
        first, second = timed["models"]
        lines += [
            f"Speed, {first['model']} {first['version']} and {second['model']} {second['version']} in alternating fresh processes "
            f"(`bench_speed.py --against`, {first['texts']:,} texts, medians of {first['runs']}):",
            "",
            "| batch | " + " | ".join(f"{m['version']} texts/s" for m in (first, second)) + " | ratio (per run) |",
            "|---|---|---|---|",
        ]
        for batch, ratio in timed["ratio_of_medians_per_run"].items():
            lines.append(f"| {batch} | {first['throughput_per_s'][batch]:,} | {second['throughput_per_s'][batch]:,} | {ratio:.2f}x |")
        lines += ["", f"{first['machine']}.", ""]
    return lines


def written_lines(results: dict) -> list[str]:
    """Per model, harmful caught / non-harmful passed (%) per language on the written test rows."""
    languages = sorted({lang for table in results["models"].values() for lang in table})
    lines = ["| model | " + " | ".join(languages) + " |", "|---|" + "---|" * len(languages)]
    for model, table in results["models"].items():
        cells = []
        for lang in languages:
            (caught, harmful), (passed, plain) = table[lang]["harmful"], table[lang]["non_harmful"]
            cells.append(f"{100 * caught / max(harmful, 1):.0f} / {100 * passed / max(plain, 1):.0f}")
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return lines


def _written_section() -> list[str]:
    results = _load("written_by_language.json")
    if not results:
        return []
    return [
        "### Written examples' test rows: harmful caught / non-harmful passed, % (`written_by_language.py`)",
        "",
        f"The {results['rows']:,} test rows of the examples written for the project ({results['date']}): the only held-out",
        "labelled rows in languages the functional suite lacks. About 30 harmful and 70-100 non-harmful",
        "rows a language, in the writers' style (their siblings are in the training split): one text",
        "moves a rate by about 3 points.",
        "",
        *written_lines(results),
        "",
    ]


def plain_translation_lines(results: dict) -> list[str]:
    """Per model, the share of plain sentences flagged per language, and of their English
    translations; last, the share flagged whose translation passes (the language judged)."""
    languages = sorted({lang for entry in results["models"].values() for lang in entry["languages"]})
    lines = ["| model | " + " | ".join(languages) + " | all | all: flagged, translation passed |", "|---|" + "---|" * (len(languages) + 2)]
    for model, entry in results["models"].items():
        table = entry["languages"]
        cells = [f"{100 * table[lang][1] / table[lang][0]:.1f} / {100 * table[lang][2] / table[lang][0]:.1f}" if lang in table else "–" for lang in languages]
        n, sentences, translations, sentence_only = (sum(cell[k] for cell in table.values()) for k in range(4))
        lines.append(f"| {model} | " + " | ".join(cells) + f" | {100 * sentences / n:.1f} / {100 * translations / n:.1f} ({n:,}) | {100 * sentence_only / n:.1f} |")
    return lines


def _plain_translations_section() -> list[str]:
    results = _load("plain_translations.json")
    if not results:
        return []
    return [
        "### Plain sentences and their English translations: % flagged (`plain_translations.py`)",
        "",
        "Tatoeba's everyday sentences (`tatoeba_plain`, written by its contributors, not by the project;",
        "none is harmful) and, after the slash, their English translations. The same meaning flagged",
        "more often in one language than in English is the language judged, not the text. \"test rows\"",
        "are the source's test split, which no recipe trains on; \"all rows\" only for models not",
        "trained on it. The last column: sentences flagged whose English translation passes.",
        "",
        *plain_translation_lines(results),
        "",
    ]


def write_results_md() -> Path:
    lines = [
        "# Benchmark results",
        "",
        "Generated by `python benchmarks/report.py` from `benchmarks/results/*.json`, which the",
        "benchmark scripts write. Re-run them to refresh; never edit the figures by hand.",
        "",
    ]
    quality = _load("quality.json")
    if quality:
        lines += _quality_section(quality) + [""]
        lines += _functional_section(quality, _load("protocols.json") or {})
    lines += _protocols_section()
    lines += _written_section()
    lines += _plain_translations_section()
    lines += _thresholds_section()
    lines += _speed_section() + [""]
    lines += _peer_speed_section()
    lines += _runtimes_section()
    lines += _onnx_section()
    lines += _corpus_section() + [""]
    lines += _serve_section() + [""]
    lines += _batch_section() + [""]
    lines += _reliability_section() + [""]
    lines += _documents_section() + [""]
    path = HERE / "RESULTS.md"
    path.write_text("\n".join(lines).rstrip() + "\n")
    return path


if __name__ == "__main__":
    print(write_results_md())
