"""One loader per corpus: parse the raw files exactly as they lie in the data directory and
map each original label into the project taxonomy.

Every mapping decision here is written down, with its reason, in ``data/DATASHEET.md``;
change both together. Labels are multi-hot in ``LABELS`` order:
(extremism, violence, hate, offensive). Hate is abusive by definition, so every hate
positive is also an ``offensive`` positive; the headline label picks the most severe one.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from ..labels import to_multi_hot
from .passages import split_passages
from .reading import RawRow, SourceReport, parse_score, read_table, read_text_lines

NO_LABELS = (0, 0, 0, 0)
HATE = ("hate", "offensive")


def _labels(*names: str) -> tuple[int, ...]:
    return tuple(to_multi_hot(names))


_only = _labels
"""For ``annotated``: the labels a source judged for a row."""


# --- multilingual tweets ---------------------------------------------------------------

_MLMA_OFFENSIVE = {"offensive", "abusive", "disrespectful"}
# Targets that are protected characteristics, and the groups MLMA names under them
# ("individual", "other" and "left_wing_people" are not groups attacked for who they are).
_MLMA_IDENTITY_TARGETS = {"origin", "gender", "sexual_orientation", "religion", "disability"}
_MLMA_NOT_PROTECTED_GROUPS = {"individual", "other", "left_wing_people"}


def load_mlma(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """MLMA: `sentiment` joins the annotators' hostility types with `_`.

    hateful -> hate (+offensive); offensive/abusive/disrespectful -> offensive, and hate too
    when the hostility targets a protected characteristic (`target` origin, gender, sexual
    orientation, religion or disability) of a named group: an abusive tweet against women or
    migrants is group hate whatever word the annotators chose, and one meaning per label
    across sources matters more than the source's own wording. Fearful and normal alone ->
    none (fear of a group is not an attack on it).
    """
    for lang in ("ar", "en", "fr"):
        path = folder / f"{lang}_dataset.csv"
        for _where, rec in read_table(path, report, required=("HITId", "tweet", "sentiment")):
            kinds = set(rec["sentiment"].split("_"))
            names: set[str] = set()
            if "hateful" in kinds:
                names.update(HATE)
            if kinds & _MLMA_OFFENSIVE:
                names.add("offensive")
                if rec.get("target") in _MLMA_IDENTITY_TARGETS and rec.get("group") not in _MLMA_NOT_PROTECTED_GROUPS:
                    names.update(HATE)
            yield RawRow(f"{lang}:{rec['HITId']}", rec["tweet"], lang, _labels(*names), rec["sentiment"])


def load_davidson_hsol(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """Davidson et al.: majority class 0 hate -> hate (+offensive); 1 offensive -> offensive;
    2 neither -> none."""
    mapping = {"0": _labels(*HATE), "1": _labels("offensive"), "2": NO_LABELS}
    names = {"0": "hate_speech", "1": "offensive_language", "2": "neither"}
    for where, rec in read_table(folder / "labeled_data.csv", report, required=("class", "tweet")):
        if rec["class"] not in mapping:
            report.skip(f"unknown class {rec['class']!r}", where)
            continue
        yield RawRow(rec[""] or where, rec["tweet"], "en", mapping[rec["class"]], names[rec["class"]])


def load_germeval2018(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """GermEval 2018: OFFENSE -> offensive; fine label ABUSE (degrading a person or group for
    an ascribed identity) also -> hate; INSULT, PROFANITY -> offensive only; OTHER -> none."""
    for split, name in (("train", "training"), ("test", "test")):
        path = folder / f"germeval2018.{name}.txt"
        for where, rec in read_table(
            path, report, delimiter="\t", columns=["text", "coarse", "fine"], required=("text",)
        ):
            coarse, fine = rec["coarse"], rec["fine"]
            if coarse not in ("OFFENSE", "OTHER") or fine not in ("ABUSE", "INSULT", "PROFANITY", "OTHER"):
                report.skip(f"unknown label {coarse}/{fine}", where)
                continue
            labels = _labels(*HATE) if fine == "ABUSE" else _labels("offensive") if coarse == "OFFENSE" else NO_LABELS
            yield RawRow(f"{split}:{where.rsplit(':', 1)[1]}", rec["text"], "de", labels, f"{coarse}/{fine}", split)


def load_stormfront(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """Stormfront sentences: hate -> hate (+offensive), noHate -> none; `relation` (hateful
    only together with neighbouring sentences) and `idk/skip` are left out. The authors'
    balanced train/test sample is kept as the official split."""
    for where, rec in read_table(folder / "stormfront_sentences.csv", report, required=("file_id", "label", "text")):
        label = rec["label"]
        if label == "hate":
            labels = _labels(*HATE)
        elif label == "noHate":
            labels = NO_LABELS
        else:
            report.skip(f"label {label!r} not mapped (not decidable from the sentence alone)", where)
            continue
        split = rec["split"] if rec["split"] in ("train", "test") else None
        yield RawRow(rec["file_id"], rec["text"], "en", labels, label, split)


def load_ethos(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """ETHOS: isHate (share of annotators) >= 0.5 -> hate (+offensive); from the multi-label
    file (hate comments only), violence >= 0.5 -> violence too."""
    violence: dict[str, float] = {}
    for where, rec in read_table(
        folder / "Ethos_Dataset_Multi_Label.csv", report, delimiter=";", required=("comment", "violence")
    ):
        score = parse_score(rec["violence"])
        if score is None:
            report.skip("violence score is not a number", where)
            continue
        violence[rec["comment"]] = score
    seen: set[str] = set()
    for where, rec in read_table(folder / "Ethos_Dataset_Binary.csv", report, delimiter=";", required=("comment", "isHate")):
        score = parse_score(rec["isHate"])
        if score is None:
            report.skip("isHate score is not a number", where)
            continue
        names = set(HATE) if score >= 0.5 else set()
        if violence.get(rec["comment"], 0.0) >= 0.5:
            names.add("violence")
        seen.add(rec["comment"])
        yield RawRow(where, rec["comment"], "en", _labels(*names), f"isHate={score:.2f}")
    for index, (comment, score) in enumerate(violence.items()):
        if comment not in seen:  # hate comments that only the multi-label file has
            names = set(HATE) | ({"violence"} if score >= 0.5 else set())
            yield RawRow(f"multi:{index}", comment, "en", _labels(*names), f"multi_label violence={score:.2f}")


def load_gab_hate_corpus(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """Gab Hate Corpus: hd (assault on human dignity) -> hate (+offensive); cv (call for
    violence) -> violence; vo (vulgar/offensive) -> offensive. Official train/test."""
    for split in ("train", "test"):
        for where, rec in read_table(folder / f"ghc_{split}.tsv", report, delimiter="\t", required=("text",)):
            flags = {key: rec[key].strip() for key in ("hd", "cv", "vo")}
            if any(value not in ("0", "1") for value in flags.values()):
                report.skip("hd/cv/vo not 0 or 1", where)
                continue
            names: set[str] = set()
            if flags["hd"] == "1":
                names.update(HATE)
            if flags["cv"] == "1":
                names.add("violence")
            if flags["vo"] == "1":
                names.add("offensive")
            source_label = ",".join(key for key, value in flags.items() if value == "1") or "none"
            yield RawRow(f"{split}:{where.rsplit(':', 1)[1]}", rec["text"], "en", _labels(*names), source_label, split)


_OSACT5_LABELS = ("Offensive", "Hate", "Vulgar", "Violence")
_OSACT5_TSV_ROW = re.compile(r"^(?:(\d+)\t)?(.*)\t(OFF|NOT_OFF)\t(NOT_HS|HS\d)\t(VLG|NOT_VLG)\t(VIO|NOT_VIO)$")


def _osact5_records(path: Path, report: SourceReport) -> Iterator[tuple[str, dict[str, str]]]:
    """The file's records, with the rows that a stray opening quote swallowed recovered.

    Tweets mark line breaks as `<LF>`, so a real line break inside a field means the quote
    ran on: in this file the field of Id 7395 holds its own labels and about 330 further
    rows, written tab-separated (`text<TAB>labels` on its first line, `Id<TAB>text<TAB>labels`
    after), and the last of them has the fields after the closing quote as its labels."""
    for where, rec in read_table(path, report, required=("Id", "Tweet")):
        lines = rec["Tweet"].split("\n")
        if len(lines) == 1:
            yield where, rec
            continue
        for index, line in enumerate(lines[:-1]):
            match = _OSACT5_TSV_ROW.match(line)
            if match is None or (index > 0) != (match[1] is not None):
                report.skip("unreadable line inside a run-on quoted field", where)
                continue
            report.rows_read += index > 0
            yield f"{where}>{index}", {"Id": match[1] or rec["Id"], "Tweet": match[2], **dict(zip(_OSACT5_LABELS, match.groups()[2:]))}
        last_id, _, last_text = lines[-1].partition("\t")
        report.rows_read += 1
        yield f"{where}>{len(lines) - 1}", {**rec, "Id": last_id, "Tweet": last_text}


def load_osact5_ar_violence(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """OSACT5: OFF -> offensive; HS1-HS6 -> hate (+offensive); VLG -> offensive; VIO ->
    violence. `<LF>` marks a line break in the tweet."""
    for where, rec in _osact5_records(folder / "train_data2022.csv", report):
        off, hate, vlg, vio = rec["Offensive"], rec["Hate"], rec["Vulgar"], rec["Violence"]
        if off not in ("OFF", "NOT_OFF") or not (hate == "NOT_HS" or hate[:2] == "HS") or vio not in ("VIO", "NOT_VIO"):
            report.skip(f"unknown labels {off}/{hate}/{vlg}/{vio}", where)
            continue
        names = set()
        if off == "OFF" or vlg == "VLG":
            names.add("offensive")
        if hate != "NOT_HS":
            names.update(HATE)
        if vio == "VIO":
            names.add("violence")
        text = rec["Tweet"].replace("<LF>", "\n")
        yield RawRow(rec["Id"], text, "ar", _labels(*names), f"{off}/{hate}/{vlg}/{vio}")


def load_germeval_harmful_de(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """GermEval 2025/26 harmful content, 2026 training files joined by tweet id.

    vio: call2violence, propensity, support, other -> violence; glorification -> violence and
    extremism. dbo: subversive, agitation -> extremism; criticism, nothing -> none. def: TRUE
    -> offensive. c2a (calls to action, legal protest included) is kept in `source_label`
    only. The 2025 files are left out: most of their rows reappear in 2026. A label counts as
    judged only for tweets in the file that asks it; hate is never judged here.
    """
    data = folder / "GermEval2026" / "data"
    files = {
        "vio": data / "vio" / "vio_train_26.csv",
        "dbo": data / "dbo" / "dbo_train_26.csv",
        "def": data / "def" / "def_train.csv",
        "c2a": data / "c2a" / "c2a_train_26.csv",
    }
    texts: dict[str, str] = {}
    tags: dict[str, dict[str, str]] = defaultdict(dict)
    for task, path in files.items():
        column = "DEF" if task == "def" else task
        for _where, rec in read_table(path, report, delimiter=";", required=("id", "description", column)):
            texts.setdefault(rec["id"], rec["description"])
            tags[rec["id"]][task] = rec[column].strip().lower()
    known = {
        "vio": {"nothing", "call2violence", "propensity", "prospensity", "support", "glorification", "other"},
        "dbo": {"nothing", "criticism", "agitation", "subversive"},
        "def": {"true", "false"},
        "c2a": {"true", "false"},
    }
    for tweet_id, text in texts.items():
        tweet_tags = tags[tweet_id]
        unknown = {f"{task}={value}" for task, value in tweet_tags.items() if value not in known[task]}
        if unknown:
            report.skip(f"unknown label {sorted(unknown)[0]}", f"id {tweet_id}")
            continue
        names = set()
        vio = tweet_tags.get("vio", "nothing")
        if vio != "nothing":
            names.add("violence")
        if vio == "glorification" or tweet_tags.get("dbo") in ("agitation", "subversive"):
            names.add("extremism")
        if tweet_tags.get("def") == "true":
            names.add("offensive")
        source_label = ";".join(f"{task}={value}" for task, value in sorted(tweet_tags.items()))
        # Judged: violence where the vio file has the tweet; extremism where dbo has it (or
        # vio found glorification); offensive where def has it; hate never.
        judged = set()
        if "vio" in tweet_tags:
            judged.add("violence")
        if "dbo" in tweet_tags or "extremism" in names:
            judged.add("extremism")
        if "def" in tweet_tags:
            judged.add("offensive")
        yield RawRow(tweet_id, text, "de", _labels(*names), source_label, annotated=_only(*judged))


def load_isis_fanboy(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """Pro-ISIS accounts' tweets -> extremism. Labelled by account, not by tweet: some
    tweets are mundane, so these are noisy positives. Language is detected per tweet."""
    for _where, rec in read_table(folder / "IsisFanboy.csv", report, required=("tweetid", "tweets")):
        yield RawRow(
            rec["tweetid"], rec["tweets"], None, _labels("extremism"), f"pro-ISIS account @{rec['username']}",
            annotated=_only("extremism"),
        )  # fmt: skip


def load_ru_sensitive_topics(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """Russian appropriateness data (Version 1 val and test, the only labelled files present).

    inappropriate >= 0.5 and terrorism >= 0.5 -> extremism; inappropriate < 0.5 -> none
    (including appropriate talk about terrorism: hard negatives). Inappropriate messages on
    other topics have no taxonomy equivalent (inappropriate is reputational risk, not
    abuse) and are left out.
    """
    for name in ("val", "test"):
        path = folder / "Version1" / "appropriateness" / f"{name}.csv"
        for where, rec in read_table(path, report, required=("text", "inappropriate", "terrorism")):
            inappropriate, terrorism = parse_score(rec["inappropriate"]), parse_score(rec["terrorism"])
            if inappropriate is None or terrorism is None:
                report.skip("score is not a number", where)
                continue
            source_label = f"inappropriate={inappropriate:.2f};terrorism={terrorism:.2f}"
            if inappropriate < 0.5:
                yield RawRow(f"{name}:{where.rsplit(':', 1)[1]}", rec["text"], "ru", NO_LABELS, source_label)
            elif terrorism >= 0.5:
                yield RawRow(
                    f"{name}:{where.rsplit(':', 1)[1]}", rec["text"], "ru", _labels("extremism"), source_label,
                    annotated=_only("extremism"),
                )  # fmt: skip
            else:
                report.skip("inappropriate on a non-terrorism topic (no taxonomy equivalent)", where)


def load_offenseval2020_tr(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """OffensEval 2020 Turkish: OFF -> offensive, NOT -> none. Official train/test (test
    texts joined to the gold labels by id). Tweets contain bare quotes: no CSV quoting."""
    mapping = {"OFF": _labels("offensive"), "NOT": NO_LABELS}
    train = folder / "offenseval-tr-training-v1.tsv"
    for where, rec in read_table(train, report, delimiter="\t", required=("id", "tweet", "subtask_a"), quoting=csv.QUOTE_NONE):
        if rec["subtask_a"] not in mapping:
            report.skip(f"unknown label {rec['subtask_a']!r}", where)
            continue
        yield RawRow(rec["id"], rec["tweet"], "tr", mapping[rec["subtask_a"]], rec["subtask_a"], "train")
    gold: dict[str, str] = {}
    gold_path = folder / "offenseval-tr-test-goldlabels.csv"
    for _where, rec in read_table(gold_path, report, columns=["id", "label"], required=("id", "label")):
        gold[rec["id"]] = rec["label"]
    test = folder / "offenseval-tr-testset-v1.tsv"
    for where, rec in read_table(test, report, delimiter="\t", required=("id", "tweet"), quoting=csv.QUOTE_NONE):
        label = gold.get(rec["id"])
        if label not in mapping:
            report.skip("test tweet without a gold label", where)
            continue
        yield RawRow(rec["id"], rec["tweet"], "tr", mapping[label], label, "test")


def load_roman_urdu_ruhsold(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """RUHSOLD (Roman Urdu). Task 2 train/test: 0 abusive/offensive -> offensive; 2
    religious hate, 3 sexism -> hate (+offensive); 4 profane -> offensive; 1 normal ->
    none. Task 1 validation (0 abusive, 1 normal) is the official validation split.
    Files are `text<TAB>label` without quoting, so the label is after the last tab."""
    task2 = {"0": _labels("offensive"), "1": NO_LABELS, "2": _labels(*HATE), "3": _labels(*HATE), "4": _labels("offensive")}
    task2_names = {"0": "abusive", "1": "normal", "2": "religious_hate", "3": "sexism", "4": "profane"}
    task1 = {"0": (task2["0"], "abusive"), "1": (NO_LABELS, "normal")}
    files = (("task_2_train.tsv", "train", False), ("task_2_test.tsv", "test", False), ("task_1_validation.tsv", "validation", True))
    for name, split, binary in files:
        for line_no, line in read_text_lines(folder / name, report):
            if not line.strip():
                continue
            report.rows_read += 1
            where = f"{name}:{line_no}"
            text, tab, label = line.rpartition("\t")
            label = label.strip()
            known = task1 if binary else {key: (task2[key], task2_names[key]) for key in task2}
            if not tab or label not in known or not text.strip():
                report.skip("expected `text<TAB>label` with a known label", where)
                continue
            labels, source_label = known[label]
            yield RawRow(f"{split}:{line_no}", text, "ur", labels, source_label, split)


# --- written for the project -------------------------------------------------------------

PROJECT_WRITTEN_LANGUAGES = ("ar", "de", "en", "es", "fr", "hi", "it", "nl", "pl", "pt", "ru", "tr", "ur", "zh")


def load_project_written(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """Examples written for the project, ``<lang>.jsonl`` and (everyday texts only)
    ``everyday_<lang>.jsonl`` per language:
    ``{"text", "labels": [names], "kind"}``. Labels are project labels already; a hate
    example is also offensive, as in every other source. ``kind`` (threat, reporting,
    counter_speech, ...) is kept as the source label."""
    files = [(lang, folder / f"{prefix}{lang}.jsonl") for prefix in ("", "everyday_") for lang in PROJECT_WRITTEN_LANGUAGES]
    for lang, path in files:
        if not path.is_file():
            continue
        for line_no, line in read_text_lines(path, report):
            if not line.strip():
                continue
            report.rows_read += 1
            where = f"{path.name}:{line_no}"
            try:
                record = json.loads(line)
                names = set(record["labels"])
                text, kind = record["text"], str(record.get("kind", ""))
                if not isinstance(text, str):
                    raise TypeError("text is not a string")
                labels = _labels(*names, *(("offensive",) if "hate" in names else ()))
            except (ValueError, KeyError, TypeError) as error:
                report.skip(f"unreadable example ({type(error).__name__})", where)
                continue
            yield RawRow(f"{path.stem}:{line_no}", text, lang, labels, kind or "unspecified")


# --- public corpora committed under data/raw (redistributable licences) ---------------------------
# Each folder holds a gzipped CSV with only the columns used and a SOURCE.txt naming the
# upstream repository, commit, licence and what was changed.

_COLD_SPLITS = {"train": "train", "dev": "validation", "test": "test"}
_COLD_FINE = {"0": "safe", "1": "attack_individual", "2": "attack_group", "3": "anti_bias"}


def load_cold_zh(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """COLD (Chinese offensive language, Zhihu and Weibo comments on race, gender and region).

    Test rows carry the fine label: attack on a group -> hate (+offensive); attack on an
    individual -> offensive; safe and anti-bias (comments that oppose bias, often quoting
    it) -> none. Train and dev rows carry only offensive (1) or safe (0): offensive ->
    offensive with hate left unjudged (86 % of the test set's offensive rows attack a group,
    so calling them not-hate would teach the model that group attacks are mere insults),
    safe -> none. The authors' train/dev/test split is kept.
    """
    for where, rec in read_table(folder / "cold.csv.gz", report, required=("id", "split", "label", "text")):
        split, label, fine = _COLD_SPLITS.get(rec["split"]), rec["label"], rec.get("fine_label", "")
        if split is None or label not in ("0", "1") or (split == "test" and fine not in _COLD_FINE):
            report.skip(f"unknown split or label {rec['split']}/{label}/{fine}", where)
            continue
        topic = rec.get("topic", "")
        if split == "test":
            if (label == "1") != (fine in ("1", "2")):
                report.skip(f"coarse label {label} contradicts fine label {fine}", where)
                continue
            names = HATE if fine == "2" else ("offensive",) if fine == "1" else ()
            judged = None
            source_label = f"{topic}:{_COLD_FINE[fine]}"
        else:
            names = ("offensive",) if label == "1" else ()
            judged = _only("offensive") if label == "1" else None
            source_label = f"{topic}:{'offensive' if label == '1' else 'safe'}"
        yield RawRow(rec["id"], rec["text"], "zh", _labels(*names), source_label, split, annotated=judged)


_TOLD_IDENTITY = ("homophobia", "racism", "misogyny", "xenophobia")
_TOLD_ABUSE = ("insult", "obscene")


def load_told_br(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """ToLD-Br (Brazilian Portuguese tweets): each column counts how many of three annotators
    flagged the tweet for that kind of toxicity.

    Two or more votes make a kind count: homophobia, racism, misogyny or xenophobia -> hate
    (+offensive); insult or obscene -> offensive. No vote at all -> none. A tweet that only
    single annotators flagged (no kind with a majority) is left out: neither a clean
    negative nor an agreed positive. Violence and extremism are not annotated.
    """
    kinds = (*_TOLD_IDENTITY, *_TOLD_ABUSE)
    for where, rec in read_table(folder / "told_br.csv.gz", report, required=("text", *kinds)):
        votes = {kind: rec[kind].strip() for kind in kinds}
        if any(value not in ("0", "1", "2", "3") for value in votes.values()):
            report.skip("vote count is not 0-3", where)
            continue
        agreed = [kind for kind in kinds if int(votes[kind]) >= 2]
        if not agreed and any(value != "0" for value in votes.values()):
            report.skip("flagged by a single annotator only (no majority)", where)
            continue
        names = set(HATE) if set(agreed) & set(_TOLD_IDENTITY) else {"offensive"} if agreed else set()
        judged = _only(*HATE) if names else None
        row_id = f"row{where.rsplit(':', 1)[1]}"
        yield RawRow(row_id, rec["text"], "pt", _labels(*names), ",".join(agreed) or "none", annotated=judged)


_GAHD_SPLITS = {"train": "train", "dev": "validation", "test": "test"}


def load_gahd_de(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """GAHD (German adversarial hate speech, written against a model by annotators,
    translated from English adversarial data, or taken from news sentences, with contrastive
    pairs): 1 -> hate (+offensive); 0 -> not hate, with offensive left unjudged (the
    authors' "not hate speech" includes insults that attack no group). The authors'
    train/dev/test split is kept."""
    for where, rec in read_table(folder / "gahd.csv.gz", report, required=("gahd_id", "split", "label", "text")):
        split, label = _GAHD_SPLITS.get(rec["split"]), rec["label"]
        if split is None or label not in ("0", "1"):
            report.skip(f"unknown split or label {rec['split']}/{label}", where)
            continue
        names, judged = (HATE, _only(*HATE)) if label == "1" else ((), _only("hate"))
        source_label = f"{'hate' if label == '1' else 'not_hate'}:{rec.get('round', '')}:{rec.get('origin', '')}"
        yield RawRow(rec["gahd_id"], rec["text"], "de", _labels(*names), source_label, split, annotated=judged)


_MPOLD_FINE = {"HS": HATE, "V": ("offensive",), "-": ("offensive",)}


def load_mpold_ar(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """MPOLD (Arabic news comments from Twitter, Facebook and YouTube, mostly dialectal):
    majority of three annotators Offensive -> offensive, and hate+offensive where the
    expert's second pass marked it hate speech (HS); vulgar (V) or unmarked stay offensive;
    Non-Offensive -> none. Rows that the expert marked as annotation errors (orange in the
    upstream sheet) are left out: the authors name no corrected label."""
    for where, rec in read_table(folder / "mpold.csv.gz", report, required=("id", "label", "text")):
        label, fine = rec["label"], rec.get("hs_vulgar", "-").strip() or "-"
        if rec.get("expert_error") == "1":
            report.skip("marked by the authors' expert as an annotation error", where)
            continue
        if label not in ("Offensive", "Non-Offensive") or fine not in _MPOLD_FINE or (label == "Non-Offensive" and fine != "-"):
            report.skip(f"unknown label {label}/{fine}", where)
            continue
        names = _MPOLD_FINE[fine] if label == "Offensive" else ()
        source_label = f"{rec.get('platform', '')}:{label}" + (f":{fine}" if fine != "-" else "")
        yield RawRow(rec["id"], rec["text"], "ar", _labels(*names), source_label)


def load_pejorativity_it(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """PejorativITy (Italian tweets, 50 for each of 24 words that are either a pejorative
    epithet for a woman or used plainly: "oca", goose; "balena", whale): misogyny 1 ->
    hate+offensive; misogyny 0 with the word used as an epithet (pejorative 1) -> offensive;
    both 0 -> hate 0 with offensive unjudged (the word is plain, which says nothing of the
    rest of the tweet). Violence and extremism are not annotated. Tweets of one text share a
    split (five occur under two words)."""
    for where, rec in read_table(folder / "pejorativity.csv.gz", report, required=("id", "text", "word", "pejorative", "misogyny")):
        pejorative, misogyny = rec["pejorative"], rec["misogyny"]
        if pejorative not in ("0", "1") or misogyny not in ("0", "1"):
            report.skip(f"unknown label {pejorative}/{misogyny}", where)
            continue
        names: tuple[str, ...] = HATE if misogyny == "1" else ("offensive",) if pejorative == "1" else ()
        judged = _only("hate") if not names else _only(*HATE)
        # Upstream writes a line break inside a tweet as the two characters "\n".
        text = rec["text"].replace("\\n", "\n")
        source_label = f"{rec['word']}:pejorative={pejorative}:misogyny={misogyny}"
        yield RawRow(rec["id"], text, "it", _labels(*names), source_label, None, text, annotated=judged)


# --- plain text: sentences with no harm in them, in many languages ------------------------

UD_PLAIN_LANGUAGES = ("ar", "de", "en", "es", "fr", "hi", "it", "nl", "pl", "pt", "ru", "tr", "zh")
TATOEBA_PLAIN_LANGUAGES = ("ar", "de", "es", "fr", "hi", "it", "nl", "pl", "pt", "ru", "tr", "ur", "zh")


def _plain_sentences(
    path: Path, report: SourceReport, languages: tuple[str, ...], source_label: Callable[[dict[str, str]], str]
) -> Iterator[RawRow]:
    """Rows of a plain-text table (id, lang, group, text): every label judged negative, a
    row's group its split group."""
    for where, rec in read_table(path, report, required=("id", "lang", "group", "text")):
        if rec["lang"] not in languages:
            report.skip(f"unknown language {rec['lang']!r}", where)
            continue
        yield RawRow(rec["id"], rec["text"], rec["lang"], NO_LABELS, source_label(rec), None, rec["group"])


def load_ud_plain(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """Sentences of Universal Dependencies treebanks: the parallel PUD treebanks (the same
    1,000 news and Wikipedia sentences in twelve languages) and Dutch Alpino news. No label
    applies: edited prose, some of it reporting crime, war or politics, is the plain text
    the model must leave alone in every language. A PUD sentence and its translations share
    a group, so they share a split."""
    return _plain_sentences(folder / "ud_plain.csv.gz", report, UD_PLAIN_LANGUAGES, lambda rec: rec.get("treebank", ""))


def load_tatoeba_plain(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """Everyday sentences of the Tatoeba corpus in thirteen languages ("Alleen in sprookjes
    veranderen kikkers in prinsen."), the conversational plain text that the corpora's tweets
    and the edited UD prose are not. No label applies; sentences whose English translation
    names harm were left out when the file was built. Translations of one English sentence
    share a group, so they share a split."""
    return _plain_sentences(folder / "tatoeba_plain.csv.gz", report, TATOEBA_PLAIN_LANGUAGES, lambda rec: "tatoeba")


# --- news: professional reporting, hard negatives -----------------------------------------


def _news_passages(
    article_id: str, title: str, body: str, lang: str, source_label: str
) -> Iterator[RawRow]:
    """The headline and the lead passages of an article, all sharing the article's split."""
    pieces = ([" ".join(title.split())] if title.strip() else []) + split_passages(body)
    for index, passage in enumerate(pieces):
        yield RawRow(f"{article_id}:{index}", passage, lang, NO_LABELS, source_label, None, article_id)


def load_saudinewsnet_ar_news(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """SaudiNewsNet sample: newspaper articles -> none (reporting is not endorsement)."""
    path = folder / "saudinewsnet_sample_4000.csv"
    for where, rec in read_table(path, report, required=("url", "content")):
        flag = "terror_kw" if rec.get("mentions_terror_kw", "").strip().lower() in ("true", "1") else "other"
        article = f"row{where.rsplit(':', 1)[1]}"
        yield from _news_passages(article, rec.get("title", ""), rec["content"], "ar", f"news:{rec['source']}:{flag}")


def load_masakhanews_en_fr(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """MasakhaNEWS English and French dev/test files: news articles -> none."""
    for lang, prefix in (("en", "eng"), ("fr", "fra")):
        for part in ("dev", "test"):
            path = folder / f"{prefix}_{part}.tsv"
            for where, rec in read_table(path, report, delimiter="\t", required=("headline", "text")):
                article = f"{prefix}_{part}:{where.rsplit(':', 1)[1]}"
                yield from _news_passages(article, rec["headline"], rec["text"], lang, f"news:{rec['category']}")


def news_articles(data_dir: str | Path | None = None) -> Iterator[tuple[str, str, str]]:
    """Whole news articles of saudinewsnet_ar_news and masakhanews_en_fr as ``(article id,
    language, headline and body)``, read from the same files and rows as their loaders (which
    keep only the lead passages): the long professional reporting that document scoring
    must leave clean (``benchmarks/bench_documents.py``)."""
    from ..paths import resolve_data_dir

    root = resolve_data_dir(data_dir)
    report = SourceReport("news_articles")
    path = root / "saudinewsnet_ar_news" / "saudinewsnet_sample_4000.csv"
    for where, rec in read_table(path, report, required=("url", "content")):
        yield f"saudinewsnet:row{where.rsplit(':', 1)[1]}", "ar", f"{rec.get('title', '').strip()}\n{rec['content']}".strip()
    for lang, prefix in (("en", "eng"), ("fr", "fra")):
        for part in ("dev", "test"):
            path = root / "masakhanews_en_fr" / f"{prefix}_{part}.tsv"
            for where, rec in read_table(path, report, delimiter="\t", required=("headline", "text")):
                yield f"masakhanews:{prefix}_{part}:{where.rsplit(':', 1)[1]}", lang, f"{rec['headline'].strip()}\n{rec['text']}".strip()


# --- unlabelled ---------------------------------------------------------------------------


def load_farright_telegram_sample(folder: Path, report: SourceReport) -> Iterator[RawRow]:
    """Far-right Telegram posts, unlabelled (channel-level provenance only)."""
    path = folder / "farright_telegram_sample_5000.csv"
    for _where, rec in read_table(path, report, required=("channel_name", "msg_id", "text")):
        yield RawRow(f"{rec['channel_name']}:{rec['msg_id']}", rec["text"], None, None, f"channel:{rec['channel_name']}")
