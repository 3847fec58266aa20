"""How the project annotations were made, step by step (see GUIDELINE.md and REPORT.md).

    python data/annotation/workflow.py draw                  # pools and held-out part, once
    python data/annotation/workflow.py show --pass 1 --lang ar --start 0 --count 150
    python data/annotation/workflow.py record --pass 1 --lang ar --start 0 < labels.txt
    python data/annotation/workflow.py disagreements --lang ar
    python data/annotation/workflow.py adjudicate --lang ar < decisions.txt

REPORT.md is rendered by ``report.py`` (same folder).

`show` prints only texts, numbered within the batch, in the order of the pass (each pass its
own seeded order), never a source, a model score or another pass. `record` reads one line
per shown item: ``<number> <labels> <tag>`` with labels as letters (x extremism, v violence,
h hate, o offensive; ``-`` for none) and tag as n none, r reporting, c counter_speech,
q quotation. Hate is always also offensive (the corpus taxonomy), so ``h`` implies ``o``.
`adjudicate` reads ``<item_id> <labels> <tag> <reason...>`` for each disagreement.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from extremism_nlp.data import load_corpus, load_unlabelled, resolve_data_dir
from extremism_nlp.data.annotations import (
    ANNOTATIONS_FILE,
    AnnotationRecord,
    format_labels,
    read_records,
    write_records,
)
from extremism_nlp.data.reading import SourceReport
from extremism_nlp.data.registry import referenced_rows
from extremism_nlp.data.splits import stable_hash
from extremism_nlp.labels import LABELS

SEED = 20261129
HELDOUT_SHARE = 0.25
ORIGINAL_SOURCES = ["mlma", "osact5_ar_violence", "saudinewsnet_ar_news", "masakhanews_en_fr", "isis_fanboy"]
QUOTAS = {
    "ar": {"isis_fanboy": 300, "mlma": 400, "osact5_ar_violence": 450, "saudinewsnet_ar_news": 350},
    "fr": {"isis_fanboy": 300, "mlma": 800, "masakhanews_en_fr": 400},
    "en": {"farright_telegram_sample": 800, "isis_fanboy": 700},
}
"""Items per language and source. The pro-ISIS tweets are re-judged in every language they
were written in: they are the only jihadist text in Arabic and French."""
STRATEGY_SHARES = (("model_high", 0.35), ("model_uncertain", 0.2), ("keyword", 0.25), ("random", 0.2))
"""How each quota is filled: the fast model's highest harmful scores (likely positives and
reporting that looks like them), its scores nearest 0.5, texts that name attacks, groups or
weapons, and a random part that keeps the pool from being only hard cases."""
KEYWORDS = {
    "ar": r"هجوم|تفجير|انفجار|قتل|اقتل|ذبح|داعش|الدولة الإسلامية|الدوله الاسلاميه|خلافة|جهاد|مجاهد|شهيد|استشهاد|سلاح|رصاص|صاروخ|إرهاب|ارهاب|كفار|صليبي|رافض|غزو|حرب",
    "fr": r"attentat|attaque|bombe|explos|tuer|tué|massacr|djihad|jihad|daech|daesh|état islamique|terror|arme|fusil|égorg|kamikaze|otage|califat|guerre|milice|combattant",
    "en": r"attack|bomb|explos|kill|shoot|jihad|isis|islamic state|caliphate|mujahid|martyr|\bgun|rifle|terror|behead|crusader|kafir|infidel|\bwar\b|militia|race war|genocide|replacement|hang\b",
}
HARMFUL = [LABELS.index(label) for label in ("extremism", "violence", "hate")]
LETTERS = dict(zip("xvho", LABELS))
TAG_LETTERS = {"n": "none", "r": "reporting", "c": "counter_speech", "q": "quotation"}


def _candidates(data_dir: Path) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(lang, source) -> [(row id, text)] from the de-duplicated corpus (all splits) and
    the unlabelled far-right sample."""
    corpus = load_corpus(data_dir, sources=ORIGINAL_SOURCES)
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for split in corpus.values():
        for row_id, text, lang, source in zip(split["id"], split["text"], split["lang"], split["source"]):
            if source in QUOTAS.get(lang, {}):
                found.setdefault((lang, source), []).append((row_id.split(":", 1)[1], text))
    farright = load_unlabelled("farright_telegram_sample", data_dir)
    for row_id, text, lang in zip(farright["id"], farright["text"], farright["lang"]):
        if lang == "en":
            found.setdefault(("en", "farright_telegram_sample"), []).append((row_id.split(":", 1)[1], text))
    return found


def draw(data_dir: Path) -> list[AnnotationRecord]:
    """Pools for every language by the shares above, each item's held-out flag fixed here,
    before any model is trained on the annotations."""
    from extremism_nlp import Classifier

    model = Classifier.from_pretrained("fast")
    rng = np.random.default_rng(SEED)
    candidates = _candidates(data_dir)
    records = []
    for lang, quotas in QUOTAS.items():
        keyword = re.compile(KEYWORDS[lang], re.IGNORECASE)
        chosen: list[tuple[str, str, str]] = []
        for source, quota in quotas.items():
            rows = sorted(candidates[(lang, source)])
            harmful = model.predict_proba([text for _, text in rows])[:, HARMFUL].max(axis=1)
            orders = {
                "model_high": np.argsort(-harmful, kind="stable"),
                "model_uncertain": np.argsort(np.abs(harmful - 0.5), kind="stable"),
                "keyword": rng.permutation([i for i, (_, text) in enumerate(rows) if keyword.search(text)]),
                "random": rng.permutation(len(rows)),
            }
            taken: set[int] = set()
            for strategy, share in STRATEGY_SHARES:
                want = round(quota * share) if strategy != "random" else quota - len(taken)
                picked = [int(i) for i in orders[strategy] if int(i) not in taken][:want]
                taken.update(picked)
                chosen.extend((source, rows[i][0], strategy) for i in picked)
        heldout_order = sorted(range(len(chosen)), key=lambda i: stable_hash(f"{chosen[i][0]}:{chosen[i][1]}", SEED))
        heldout = set(heldout_order[: int(np.ceil(HELDOUT_SHARE * len(chosen)))])
        for index, (source, row_id, strategy) in enumerate(chosen):
            records.append(AnnotationRecord(f"{lang}{index + 1:04d}", lang, source, row_id, strategy, int(index in heldout)))
    return records


def pass_order(records: list[AnnotationRecord], lang: str, pass_no: int) -> list[AnnotationRecord]:
    """The items of a language in the order a pass sees them (seeded per pass)."""
    mine = [record for record in records if record.lang == lang]
    return sorted(mine, key=lambda record: stable_hash(record.item_id, SEED + pass_no))


def _texts(records: list[AnnotationRecord], data_dir: Path) -> dict[str, str]:
    rows = referenced_rows(data_dir, {record.source for record in records}, SourceReport("annotation"))
    return {record.item_id: rows[(record.source, record.row_id)].text for record in records}


def show(records, data_dir: Path, pass_no: int, lang: str, start: int, count: int) -> None:
    batch = pass_order(records, lang, pass_no)[start : start + count]
    texts = _texts(batch, data_dir)
    for number, record in enumerate(batch, start=start):
        print(f"[{number}] {' '.join(texts[record.item_id].split())}")


def parse_codes(labels: str, tag: str) -> tuple[str, str]:
    """``"vh", "n"`` -> ("violence+hate+offensive", "none")."""
    if labels == "-":
        names = []
    elif set(labels) <= set(LETTERS):
        names = [LETTERS[letter] for letter in labels]
    else:
        raise ValueError(f"labels {labels!r}: letters from {''.join(LETTERS)} or '-'")
    if "hate" in names:
        names.append("offensive")
    if tag not in TAG_LETTERS:
        raise ValueError(f"tag {tag!r}: one of {''.join(TAG_LETTERS)}")
    return format_labels([int(label in names) for label in LABELS]), TAG_LETTERS[tag]


def record_pass(records, pass_no: int, lang: str, start: int, lines: list[str]) -> int:
    order = pass_order(records, lang, pass_no)
    done = 0
    for line in lines:
        if not line.strip():
            continue
        number, labels, tag = line.split()
        labels, tag = parse_codes(labels, tag)
        record = order[int(number)]
        assert int(number) >= start, f"item {number} is before this batch"
        setattr(record, f"pass{pass_no}_labels", labels)
        setattr(record, f"pass{pass_no}_tag", tag)
        if record.pass1_labels and record.pass2_labels and (record.pass1_labels, record.pass1_tag) == (record.pass2_labels, record.pass2_tag):
            record.final_labels, record.final_tag = labels, tag
        done += 1
    return done


def disagreements(records, data_dir: Path, lang: str) -> None:
    todo = [r for r in records if r.lang == lang and r.pass1_labels and r.pass2_labels and not r.decided]
    texts = _texts(todo, data_dir)
    for record in todo:
        print(f"{record.item_id} | 1: {record.pass1_labels}/{record.pass1_tag} | 2: {record.pass2_labels}/{record.pass2_tag} | {' '.join(texts[record.item_id].split())}")


def adjudicate(records, lines: list[str]) -> int:
    by_id = {record.item_id: record for record in records}
    done = 0
    for line in lines:
        if not line.strip():
            continue
        item_id, labels, tag, reason = line.split(maxsplit=3)
        record = by_id[item_id]
        record.final_labels, record.final_tag = parse_codes(labels, tag)
        record.reason = reason.strip()
        done += 1
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["draw", "show", "record", "disagreements", "adjudicate"])
    parser.add_argument("--pass", dest="pass_no", type=int, choices=[1, 2])
    parser.add_argument("--lang", choices=sorted(QUOTAS))
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--count", type=int, default=150)
    parser.add_argument("--data-dir")
    args = parser.parse_args(argv)
    data_dir = resolve_data_dir(args.data_dir)
    if args.step == "draw":
        if ANNOTATIONS_FILE.exists():
            sys.exit(f"{ANNOTATIONS_FILE} exists: pools are drawn once")
        records = draw(data_dir)
        write_records(records)
        print(Counter((r.lang, r.source, r.selection) for r in records))
        return 0
    records = read_records()
    if args.step == "show":
        show(records, data_dir, args.pass_no, args.lang, args.start, args.count)
    elif args.step == "record":
        print(f"recorded {record_pass(records, args.pass_no, args.lang, args.start, sys.stdin.readlines())} items")
        write_records(records)
    elif args.step == "disagreements":
        disagreements(records, data_dir, args.lang)
    elif args.step == "adjudicate":
        print(f"adjudicated {adjudicate(records, sys.stdin.readlines())} items")
        write_records(records)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
