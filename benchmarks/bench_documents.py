"""Documents: how fast long texts are read sentence by sentence, whether one planted harmful
sentence in a long benign document is found with its offsets, and whether long news
articles stay clean (issue 16: documents and evidence).

- Throughput: words per second of `classify()` on one benign document of 10 kB, 100 kB and
  1 MB (UTF-8), for `fast` and `default` (`default` reads 10 kB only unless ``--sizes``
  names more). Target: a 1 MB document under 5 s with `fast` (the script exits 1 if not).
- Planted sentence: a benign document of 2 to 12 kB in one of seven languages with one
  threat or recruitment sentence (five languages) planted at a random place. Counted: the
  planted sentences the model flags with their label on their own (only those can be asked
  for), of those the documents flagged with that label and whose evidence for it is exactly
  the planted sentence's offsets, and how many the release's reading (500-character
  passages, the highest passage score per label) flagged.
- News: long articles (longer than the model's window) of saudinewsnet_ar_news and
  masakhanews_en_fr (`extremism_nlp.data.loaders.news_articles`, whole articles), flagged
  now and with the release's passages. Skipped without the shared corpora.

The filler and planted sentences were written for this benchmark.

    python benchmarks/bench_documents.py [--quick] [--models fast,default] [--sizes 10,100,1000]
        [--planted N] [--news N] [--default-planted N] [--default-news N] [--output FILE]

Prints tables and writes benchmarks/results/documents.json (or --output; the entries of
models not run this time are kept, except with --quick). `python benchmarks/report.py`
turns it into the "Documents" section of RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from extremism_nlp import LABELS, Classifier
from extremism_nlp.data.passages import split_passages

RESULTS = Path(__file__).parent / "results" / "documents.json"
FILLER = {
    "en": [
        "The library on Elm Street extends its opening hours during the exam season.",
        "Rain is expected over the coast on Thursday, with sunny spells returning by the weekend.",
        "Our team lost the away match two to one after a late penalty.",
        "Slice the onions thinly and let them soften in butter for ten minutes.",
        "The council approved a new cycle lane between the station and the hospital.",
        "My grandmother still writes letters by hand and posts them every Monday.",
        "The museum's new exhibition shows textiles from five centuries of village life.",
        "Ticket prices for the regional trains will stay the same next year.",
        "She finished the marathon in just under four hours and celebrated with pancakes.",
        "The school garden produced more courgettes than anyone could eat.",
        "Researchers measured how quickly sea ice forms in early winter.",
        "A volunteer group repaired the benches in the park over two weekends.",
    ],
    "fr": [
        "La médiathèque ouvre ses portes le dimanche matin pendant tout l'hiver.",
        "Il pleuvra sur la Bretagne jeudi, puis le soleil reviendra samedi.",
        "Le club a remporté le match de coupe aux tirs au but.",
        "Faites revenir les poireaux dans un peu d'huile avant d'ajouter la crème.",
        "La mairie a voté la rénovation du marché couvert.",
        "Mon voisin apprend le violon depuis trois ans et joue chaque soir.",
        "Le train de nuit vers Nice reprendra du service au printemps.",
        "Les élèves ont planté des tournesols dans la cour de l'école.",
        "Une exposition sur les cartes anciennes s'ouvre au musée municipal.",
        "Le festival de jazz attire chaque été des milliers de visiteurs.",
    ],
    "ar": [
        "افتتحت البلدية حديقة جديدة للأطفال قرب السوق القديم.",
        "من المتوقع هطول أمطار خفيفة على المناطق الساحلية يوم الخميس.",
        "فاز فريق المدينة في مباراة الأمس بهدفين مقابل هدف.",
        "أضف البصل المقطع إلى القدر واتركه على نار هادئة عشر دقائق.",
        "تمدد المكتبة العامة ساعات عملها خلال فترة الامتحانات.",
        "يزور جدي السوق كل صباح ليشتري الخبز الطازج.",
        "أعلنت الجامعة عن منح دراسية جديدة لطلاب الهندسة.",
        "يقام معرض الكتاب السنوي في الأسبوع الأول من الشهر المقبل.",
        "زرع طلاب المدرسة أشجار الزيتون في ساحة الحي.",
        "انخفضت أسعار الخضار في الأسواق بعد موسم حصاد جيد.",
    ],
    "de": [
        "Die Stadtbibliothek hat im Winter auch sonntags geöffnet.",
        "Am Donnerstag wird an der Küste Regen erwartet, am Wochenende scheint wieder die Sonne.",
        "Unser Verein hat das Auswärtsspiel knapp mit zwei zu eins gewonnen.",
        "Die Zwiebeln in Butter glasig dünsten und dann die Brühe dazugeben.",
        "Der Gemeinderat hat einen neuen Radweg zum Bahnhof beschlossen.",
        "Meine Nachbarin backt jeden Freitag Brot für die ganze Straße.",
        "Das Museum zeigt eine Ausstellung über alte Landkarten.",
        "Die Kinder haben im Schulgarten Kartoffeln geerntet.",
    ],
    "es": [
        "La biblioteca municipal amplía su horario durante los exámenes.",
        "Se esperan lluvias en la costa el jueves y sol durante el fin de semana.",
        "El equipo ganó el partido de copa en la prórroga.",
        "Sofríe la cebolla a fuego lento antes de añadir el arroz.",
        "El ayuntamiento aprobó la reforma del mercado central.",
        "Mi abuelo cuida un huerto de tomates detrás de su casa.",
        "El museo inaugura una exposición sobre cerámica tradicional.",
        "Los alumnos plantaron girasoles en el patio del colegio.",
    ],
    "zh": [
        "图书馆在考试期间延长了开放时间。",
        "周四沿海地区有小雨，周末天气转晴。",
        "我们的球队昨晚以二比一赢得了比赛。",
        "把洋葱切丝，用小火慢慢炒软。",
        "市政府批准在车站和医院之间修建新的自行车道。",
    ],
    "hi": [
        "पुस्तकालय परीक्षा के दिनों में देर शाम तक खुला रहता है।",
        "गुरुवार को तट पर हल्की बारिश की संभावना है।",
        "हमारी टीम ने कल का मैच दो एक से जीत लिया।",
        "दादी हर सुबह बगीचे में पौधों को पानी देती हैं।",
    ],
}

PLANTED = [
    ("en", "violence", "I know where you live, and tonight I am coming to put a bullet in your head."),
    ("en", "violence", "We will burn their houses down and kill every one of them, one by one."),
    ("en", "extremism", "Brothers, leave your families and join the soldiers of the Islamic State, paradise awaits the martyrs."),
    ("en", "extremism", "Join the caliphate's army now, take up arms for jihad and fight the infidels."),
    ("fr", "violence", "Je sais où tu habites et je vais venir te tuer ce soir, sale traître."),
    ("fr", "extremism", "Frères, rejoignez les moudjahidines de l'État islamique, le djihad armé est un devoir."),
    ("ar", "violence", "سنقتلكم جميعا ونحرق بيوتكم فوق رؤوسكم يا خونة"),
    ("ar", "extremism", "انضموا إلى جنود الدولة الإسلامية، الجهاد فرض على كل مسلم والجنة تنتظر الشهداء"),
    ("de", "violence", "Ich weiß, wo du wohnst, und heute Nacht bringe ich dich um, du Verräter."),
    ("es", "violence", "Sé dónde vives y esta noche voy a matarte, traidor."),
]


def benign_document(rng: random.Random, size_bytes: int, lang: str | None = None) -> str:
    """Filler sentences of one language, in paragraphs, until ``size_bytes`` of UTF-8."""
    lang = lang or rng.choice(sorted(FILLER))
    parts: list[str] = []
    size = 0
    while size < size_bytes:
        sentence = rng.choice(FILLER[lang])
        separator = "\n\n" if rng.random() < 0.1 else ("" if lang in ("zh",) else " ")
        parts.append(sentence + separator)
        size += len((sentence + separator).encode("utf-8"))
    return "".join(parts).strip()


def planted_document(rng: random.Random) -> tuple[str, int, int, str, str]:
    """A benign document with one planted sentence: text, its start and end, label, sentence."""
    text = benign_document(rng, rng.randint(2_000, 12_000))
    _, label, sentence = rng.choice(PLANTED)
    boundaries = [0] + [k + 1 for k, char in enumerate(text) if char in " \n。" and k and text[k - 1] in ".。।\n"]
    at = rng.choice(boundaries)
    before, after = text[:at], text[at:]
    joiner = "" if not before or before.endswith(("\n", " ", "。")) else " "
    tail = "" if after.startswith((" ", "\n")) else " "
    text = before + joiner + sentence + tail + after
    start = len(before) + len(joiner)
    return text, start, start + len(sentence), label, sentence


def passages_scores(classifier: Classifier, text: str) -> np.ndarray:
    """The release's reading of a long text: overlapping passages of the window's length,
    the highest passage score per label."""
    window = classifier.model.window_chars
    if len(text) <= window:
        return classifier.model.predict_proba([text])[0]
    return classifier.model.predict_proba(split_passages(text, max_chars=window, max_passages=None, overlap=True)).max(axis=0)


def throughput(classifier: Classifier, sizes_kb: list[int], repeats: int) -> list[dict]:
    rows = []
    rng = random.Random(16)
    for size in sizes_kb:
        text = benign_document(rng, size * 1000, "en")
        words = len(text.split())
        runs = []
        for _ in range(repeats):
            started = time.perf_counter()
            prediction = classifier.classify(text)
            runs.append(time.perf_counter() - started)
        seconds = statistics.median(runs)
        rows.append({"kb": size, "words": words, "sentences": prediction.n_chunks, "seconds": round(seconds, 3), "words_per_s": round(words / seconds)})
    return rows


def planted(classifier: Classifier, n: int) -> dict:
    rng = random.Random(1616)
    counts = Counter()
    for _ in range(n):
        text, start, end, label, sentence = planted_document(rng)
        column = LABELS.index(label)
        if label not in classifier.classify(sentence).labels:
            continue
        counts["flagged_alone"] += 1
        prediction = classifier.classify(text)
        if label in prediction.labels:
            counts["document_flagged"] += 1
            spans = prediction.evidence[label]
            counts["evidence_at_planted"] += any((span.start, span.end) == (start, end) for span in spans)
            # a planted sentence after a fragment shorter than MIN_SENTENCE_CHARS is read with it
            counts["evidence_covers_planted"] += any(span.start <= start and end <= span.end for span in spans)
        thresholds = classifier.model.thresholds_for([prediction.lang])[0]
        counts["passages_flagged"] += bool(passages_scores(classifier, text)[column] >= thresholds[column])
    return {"documents": n, **{key: counts[key] for key in ("flagged_alone", "document_flagged", "evidence_at_planted", "evidence_covers_planted", "passages_flagged")}}


def news(classifier: Classifier, n: int) -> dict | None:
    from extremism_nlp.data.loaders import news_articles
    from extremism_nlp.paths import DataDirectoryError

    try:
        articles = [a for a in news_articles() if len(a[2]) > classifier.model.window_chars]
    except (DataDirectoryError, OSError) as error:
        print(f"  news: skipped ({error})")
        return None
    random.Random(0).shuffle(articles)
    articles = articles[:n]
    texts = [text for _, _, text in articles]
    started = time.perf_counter()
    predictions = classifier.classify(texts)
    seconds = time.perf_counter() - started
    now, before = Counter(), Counter()
    for (_, lang, text), prediction in zip(articles, predictions):
        now[lang] += bool(prediction.labels)
        thresholds = classifier.model.thresholds_for([prediction.lang])[0]
        before[lang] += bool((passages_scores(classifier, text) >= thresholds).any())
    langs = sorted({lang for _, lang, _ in articles})
    return {
        "articles": len(articles), "by_language": {lang: sum(1 for a in articles if a[1] == lang) for lang in langs},
        "flagged": sum(now.values()), "flagged_by_language": {lang: now[lang] for lang in langs},
        "flagged_passages": sum(before.values()), "flagged_passages_by_language": {lang: before[lang] for lang in langs},
        "seconds": round(seconds, 1),
    }  # fmt: skip


def _machine() -> str:
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_speed import machine_description

    return f"{machine_description()}, load average {os.getloadavg()[0]:.1f} when done"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="CI: fewer documents, default at 10 kB only")
    parser.add_argument("--models", default="fast,default")
    parser.add_argument("--sizes", help="kB per document for default (fast always reads 10, 100 and 1000)")
    parser.add_argument("--planted", type=int, help="planted documents for fast (default 200; quick 40)")
    parser.add_argument("--news", type=int, help="news articles for fast (default 1000; quick 200)")
    parser.add_argument("--default-planted", type=int, help="planted documents for default (default 20; quick 0)")
    parser.add_argument("--default-news", type=int, help="news articles for default (default 40; quick 0)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    quick = args.quick
    settings = {
        "fast": {"sizes": [10, 100, 1000], "repeats": 3, "planted": args.planted or (40 if quick else 200), "news": args.news or (200 if quick else 1000)},
        "default": {
            "sizes": [int(s) for s in args.sizes.split(",")] if args.sizes else [10], "repeats": 1,
            "planted": args.default_planted if args.default_planted is not None else (0 if quick else 20),
            "news": args.default_news if args.default_news is not None else (0 if quick else 40),
        },
    }  # fmt: skip
    # Models run separately (fast in seconds, default in many minutes) share one results file.
    results: dict = json.loads(args.output.read_text(encoding="utf-8")) if args.output.is_file() and not quick else {}
    results["quick"] = quick
    failed = False
    for name in args.models.split(","):
        setting = settings[name]
        classifier = Classifier.from_pretrained(name)
        classifier.classify("warm up the language identifier")
        print(f"{name} {classifier.version} (window {classifier.model.window_chars} characters)")
        rows = throughput(classifier, setting["sizes"], setting["repeats"])
        for row in rows:
            print(f"  {row['kb']:>5} kB: {row['words']:>7,} words, {row['sentences']:>6,} sentences, {row['seconds']:>7.2f} s, {row['words_per_s']:>7,} words/s")
        result = {"version": classifier.version, "throughput": rows}
        mb = next((row for row in rows if row["kb"] == 1000), None)
        if name == "fast" and mb is not None:
            result["one_mb_under_5_s"] = mb["seconds"] < 5
            failed |= not result["one_mb_under_5_s"]
            print(f"  1 MB document in {mb['seconds']:.2f} s: target (under 5 s) {'met' if mb['seconds'] < 5 else 'NOT met'}")
        if setting["planted"]:
            found = result["planted"] = planted(classifier, setting["planted"])
            print(
                f"  planted: {found['flagged_alone']} of {found['documents']} planted sentences flagged alone; of those, "
                f"{found['document_flagged']} documents flagged, {found['evidence_at_planted']} with evidence exactly at the planted "
                f"sentence, {found['evidence_covers_planted']} with evidence covering it (release's passages: {found['passages_flagged']})"
            )
        if setting["news"]:
            found = news(classifier, setting["news"])
            if found is not None:
                result["news"] = found
                print(
                    f"  news: {found['flagged']} of {found['articles']} long articles flagged {found['flagged_by_language']} "
                    f"(release's passages: {found['flagged_passages']} {found['flagged_passages_by_language']}), {found['seconds']} s"
                )
        result["machine"] = _machine()
        results[name] = result
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
