"""Classify sample texts in Arabic, English and French with the built-in default model.

Run with `make demo`. The samples mix harmful texts with texts that only mention
extremism (news, counter-speech, neutral statements), which must come out clean.
"""

from __future__ import annotations

import time

import extremism_nlp
from extremism_nlp.labels import LABELS

SAMPLES = [
    # news about counter-terrorism policy: must stay clean
    (
        "en",
        "Leaders from forty countries met in Paris on Tuesday for a summit on countering terrorist "
        "content online. Ministers agreed to share research on how extremist groups recruit and "
        "to fund programmes that help young people leave violent movements.",
    ),
    ("fr", "Les dirigeants réunis à Paris ont condamné l'attentat et annoncé un plan contre la radicalisation en ligne."),
    ("ar", "عقدت في الرياض قمة دولية لمكافحة الإرهاب بمشاركة وزراء من عدة دول لبحث سبل مواجهة التطرف."),
    # neutral statements about a religion / counter-speech
    ("en", "Muslims around the world celebrated Eid with their families this weekend."),
    ("en", "Saying 'all immigrants are criminals' is hateful nonsense, and we will not accept it here."),
    # harmful
    ("en", "Join the soldiers of the caliphate, the victory of the mujahideen is near, may Allah accept our martyrs."),
    ("en", "We should kill every last one of them and burn their homes."),
    ("en", "Those filthy immigrants are vermin, send them all back."),
    ("fr", "Ces sales bougnoules sont des rats, il faut tous les virer du pays."),
    ("ar", "الله يلعنكم يا كلاب يا حثالة"),
    ("en", "shut up you stupid idiot"),
]


def main() -> None:
    started = time.perf_counter()
    classifier = extremism_nlp.Classifier.from_pretrained("default")
    loaded = time.perf_counter() - started
    texts = [text for _, text in SAMPLES]
    started = time.perf_counter()
    predictions = classifier.classify(texts)
    elapsed = time.perf_counter() - started

    print(f"model: {classifier.name} {classifier.version} (loaded in {loaded:.2f} s)\n")
    header = f"{'label':<10} {'lang':<4} " + " ".join(f"{label[:9]:>9}" for label in LABELS) + "  text"
    print(header)
    print("-" * len(header))
    for (_, text), p in zip(SAMPLES, predictions):
        scores = " ".join(f"{p.scores[label]:>9.2f}" for label in LABELS)
        short = text if len(text) <= 70 else text[:67] + "..."
        print(f"{p.label:<10} {p.lang:<4} {scores}  {short}")
    print(f"\n{len(texts)} texts in {elapsed * 1000:.1f} ms")


if __name__ == "__main__":
    main()
