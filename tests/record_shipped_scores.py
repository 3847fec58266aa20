"""Record the shipped models' scores of varied texts into tests/data/shipped_scores.json.

Run once before a change that must not alter what the shipped models compute (a refactor
of loading, scoring or calibration); `tests/test_shipped_scores.py` then compares the
models' scores with the recorded ones. Recording again is only right when a model itself
changes (new weights or calibration), and the commit should say so. The models named are
recorded again; the others keep their records (while the texts stay the same):

    python tests/record_shipped_scores.py [--models fast transformer stack default]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

RECORD = Path(__file__).parent / "data" / "shipped_scores.json"

_LONG = (
    "The city council met on Tuesday to discuss the new budget for public libraries and parks. "
    * 12
    + "I will find you and I will kill you and your whole family, you traitor. "
    + "Afterwards the council adjourned and members went home for the evening. " * 10
)

TEXTS = [
    # English: use and mention
    "We will kill them all tonight, every single one of them.",
    "Leaders met in Paris for a summit on countering online terrorism.",
    "Join the soldiers of the caliphate, the victory is near, brothers.",
    "Police said the attacker was shot dead after stabbing three people.",
    "Those immigrants are vermin and should be thrown out of the country.",
    "Saying that immigrants are vermin is exactly the kind of hate we must condemn.",
    "Shut up you stupid idiot, nobody asked for your opinion.",
    "What a fucking great game last night!",
    "Muslims pray five times a day.",
    "I love my neighbours, they are kind people from Syria.",
    "Glory to the martyrs of the blessed attack on the infidels.",
    "The documentary explains how ISIS recruited teenagers online.",
    "Burn their houses down and make them pay.",
    "Gay people deserve the same rights as everyone else.",
    "you are a dumb clown lol",
    # French
    "Il faut tous les tuer, ces traîtres.",
    "Le sommet de Paris sur la lutte contre le terrorisme en ligne s'est ouvert ce matin.",
    "Les musulmans sont des animaux qu'il faut expulser.",
    "Ferme ta gueule, espèce de connard.",
    "Rejoignez les soldats du califat, la victoire est proche.",
    "Le journaliste a condamné les propos haineux tenus contre les juifs.",
    "J'adore ce restaurant, la cuisine est excellente.",
    "Gloire aux martyrs de l'attaque bénie.",
    # Arabic
    "سنقتلهم جميعا الليلة",
    "انعقدت قمة في باريس لمكافحة الإرهاب على الإنترنت",
    "انضموا إلى جنود الخلافة فالنصر قريب",
    "اليهود قردة وخنازير",
    "يا حمار يا غبي اسكت",
    "أحب جيراني، إنهم أناس طيبون",
    "الدولة الإسلامية باقية وتتمدد",
    "قتل ثلاثة أشخاص في هجوم إرهابي أدانته الحكومة",
    "الله أكبر",
    # German, Spanish, Italian, Turkish, Russian, others
    "Ausländer raus, die gehören alle vergast.",
    "Die Bundesregierung hat ein neues Gesetz gegen Hassrede beschlossen.",
    "Halt die Fresse, du Vollidiot.",
    "Hay que matarlos a todos.",
    "El gobierno condenó el ataque terrorista de ayer.",
    "Questi immigrati sono parassiti.",
    "Bugün hava çok güzel.",
    "Мы убьём их всех.",
    "Сегодня хорошая погода.",
    "Ni wapumbavu sana hawa watu.",
    # Obfuscation, mixed scripts, emoji, odd input
    "k1ll @ll th3 j3ws",
    "f*ck you b!tch",
    "i will sh00t up the sch00l tomorrow",
    "🔥🔥🔥 burn them 🔥🔥🔥",
    "💣💥 #JihadNow",
    "lol",
    "ok",
    "",
    "   ",
    "\u200b\u200b",
    "#StopTerrorism #PrayForParis",
    "@user1 @user2 http://example.com/article",
    "KILL THEM ALL!!!!!!!",
    "the the the the the the the the",
    "1234567890",
    "C'est la guerre!!! يجب أن نقاتلهم kill them",
    _LONG,
    "Chapter 3. " + "The history of the crusades is long and complicated. " * 60,
]


def score(models: list[str]) -> dict:
    import extremism_nlp
    from extremism_nlp import Classifier

    result = {"library_version": extremism_nlp.__version__, "texts": TEXTS, "models": {}}
    for name in models:
        classifier = Classifier.from_pretrained(name)
        result["models"][name] = {
            "name": classifier.name,
            "version": classifier.version,
            "library_version": extremism_nlp.__version__,
            "scores": classifier.predict_proba(TEXTS).tolist(),
            "labels": classifier.predict(TEXTS).tolist(),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["fast", "transformer", "stack", "default"])
    args = parser.parse_args()
    record = score(args.models)
    if RECORD.is_file():
        previous = json.loads(RECORD.read_text(encoding="utf-8"))
        if previous["texts"] == TEXTS:
            record["models"] = {**previous["models"], **record["models"]}
        else:
            print(f"the texts changed: the records of {sorted(set(previous['models']) - set(args.models))} are dropped")
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    RECORD.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
