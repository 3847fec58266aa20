"""Probe (docs/MODELS.md, "Twelfth round"): which short everyday texts does a model flag?

Greetings, replies, one-word interjections and short religious expressions ("inshallah",
"Eid Mubarak"), 69 texts in English, French, German and Arabic, none harmful. Nothing in the
corpus is this short and plain in bulk, so a head that learnt a source's register (the ISIS
fan-boy tweets: short, informal, full of invocations) shows it here first. A diagnosis, not a
target: the list was written once, before any model was compared on it, and is not tuned to.

    python benchmarks/probe_short_texts.py default fast runs/default13

Prints, for each model, how many texts it flags and which, with the score of each decided label.
"""

from __future__ import annotations

import argparse

from extremism_nlp import Classifier

TEXTS = (
    "hello there|good morning|thanks!|see you soon|lol ok|what time is it?|nice one|happy birthday bro|"
    "I'm on my way|call me later|great game last night|who's coming tonight?|brb|love this|so tired today|"
    "me too|exactly|not sure about that|agreed|congrats!!|this is amazing|wow|can't wait|same here|ok thanks|"
    "good night everyone|any news?|new video up|check this out|breaking news|just landed|so true|miss you|"
    "ha ha|welcome back|Friday finally|coffee time|where are you?|on it|sounds good|bonjour à tous|"
    "merci beaucoup|à demain|trop bien|c'est vrai|guten Morgen|danke dir|bis später|stimmt|صباح الخير|"
    "شكرا جزيلا|تصبح على خير|ان شاء الله|الحمد لله|ماشاء الله|yes|no|ok|hmm|Amen|Allahu Akbar|inshallah|"
    "alhamdulillah|mashallah|subhanallah|Jazakallah khair|Eid Mubarak|Ramadan Kareem|Jumma Mubarak"
).split("|")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="+", help="built-in model names or model folders")
    args = parser.parse_args()
    for name in args.models:
        classifier = Classifier.from_pretrained(name)
        flagged = [(text, {label: round(p.scores[label], 2) for label in p.labels}) for text, p in zip(TEXTS, classifier.classify(TEXTS)) if p.labels]
        print(f"{classifier.name} {classifier.version}: {len(flagged)} of {len(TEXTS)} flagged {flagged}")


if __name__ == "__main__":
    main()
