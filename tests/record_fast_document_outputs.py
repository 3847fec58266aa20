"""Record what the shipped `fast` model gives for long texts read sentence by sentence
(`extremism_nlp.documents`), into tests/data/fast_document_outputs.npz, so that a faster
reading of long texts can be shown to give the same scores, labels, chunks and evidence.

The texts: the long texts of tests/record_fast_outputs.py (1 to 10 kB of sentences in many
languages, paragraphs, runs with no sentence end or no space), more of them from another
seed, long texts of mixed languages with planted harmful sentences, and batches that mix
long texts with tweets, blank and empty texts. Recorded (row = text):

- ``text_hash``: first 8 bytes of BLAKE2b of each text (a changed generator, not a changed model);
- ``scores``: ``Classifier.predict_proba`` (float64), ``raw``: ``decision_function``;
- ``decided``, ``lang``, ``empty``, ``chunk`` (-1 for None), ``n_chunks``: `classify()`;
- the evidence of every decided label, one row per span: ``evidence_row``, ``evidence_label``
  (index in ``LABELS``), ``evidence_start``, ``evidence_end``, ``evidence_score``.

Record again only when the model itself changes (weights, calibration or thresholds) or the
way long texts are read is meant to change, and say so in the commit:

    python tests/record_fast_document_outputs.py
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from record_fast_outputs import EMOJI, SENTENCES, SHORT, _long_text, _sentence, fixture_texts, text_hashes

RECORD = Path(__file__).parent / "data" / "fast_document_outputs.npz"
SEED = 1916
PLANTED = [
    "We will kill them all tonight, every single one of them.",
    "Join the soldiers of the caliphate, the victory is near, brothers.",
    "Les musulmans sont des animaux qu'il faut expulser.",
    "سنقتلهم جميعا الليلة",
    "Ausländer raus, die gehören alle weggesperrt.",
    "shut up you stupid idiot, nobody asked for your opinion",
]


def _mixed_document(rng: random.Random) -> str:
    """Sentences of several languages with one or two planted harmful sentences, joined by
    the sentence ends and line breaks of several scripts."""
    target = rng.choice([700, 1000, 3000, 10000])
    parts: list[str] = []
    size = 0
    while size < target:
        part = rng.choice(PLANTED) if rng.random() < 0.08 else _sentence(rng)
        part += rng.choice(["", "", " ", "\n", "\n\n", "。", "؟", "।", " 🔥", " ...", " !!"])
        parts.append(part)
        size += len(part.encode("utf-8")) + 1
    return rng.choice([" ", " ", "\n", "  "]).join(parts)


def document_texts() -> list[str]:
    rng = random.Random(SEED)
    long_fixture = [text for text in fixture_texts() if len(text) > 500]
    texts = long_fixture + [_long_text(rng) for _ in range(60)] + [_mixed_document(rng) for _ in range(120)]
    # a batch as users send it: long texts among tweets, blank and empty texts
    mixed = []
    for k in range(200):
        kind = rng.randrange(6)
        mixed.append(_mixed_document(rng) if kind == 0 else rng.choice(SHORT + EMOJI) if kind == 1 else _sentence(rng) + f" {k}")
    mixed += [" ".join(SENTENCES[lang]) for lang in sorted(SENTENCES)]
    return texts + mixed


def outputs(texts: list[str], batch_size: int = 1000) -> dict[str, np.ndarray]:
    """The recorded quantities, computed with the installed code."""
    from extremism_nlp import LABELS, Classifier

    classifier = Classifier.from_pretrained("fast")
    predictions = classifier.classify(texts, batch_size=batch_size)
    evidence = [
        (row, LABELS.index(label), span.start, span.end, span.score)
        for row, p in enumerate(predictions)
        for label, spans in p.evidence.items()
        for span in spans
    ]
    for row, label, start, end, _ in evidence:  # spans are into the original text
        assert 0 <= start < end <= len(texts[row]), (row, label, start, end)
    columns = list(zip(*evidence)) or [(), (), (), (), ()]
    return {
        "model_version": np.array(classifier.version),
        "text_hash": text_hashes(texts),
        "scores": classifier.predict_proba(texts, batch_size=batch_size),
        "raw": classifier.decision_function(texts, batch_size=batch_size),
        "decided": np.array([sum(1 << LABELS.index(label) for label in p.labels) for p in predictions], dtype=np.uint8),
        "lang": np.array([p.lang for p in predictions], dtype="U3"),
        "empty": np.array([p.empty for p in predictions], dtype=bool),
        "chunk": np.array([-1 if p.chunk is None else p.chunk for p in predictions], dtype=np.int32),
        "n_chunks": np.array([p.n_chunks for p in predictions], dtype=np.int32),
        "evidence_row": np.array(columns[0], dtype=np.int32),
        "evidence_label": np.array(columns[1], dtype=np.int8),
        "evidence_start": np.array(columns[2], dtype=np.int32),
        "evidence_end": np.array(columns[3], dtype=np.int32),
        "evidence_score": np.array(columns[4], dtype=np.float64),
    }


def main() -> None:
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(RECORD, **outputs(document_texts()))
    print(f"wrote {RECORD} ({RECORD.stat().st_size / 1024:.0f} kB)")


if __name__ == "__main__":
    main()
