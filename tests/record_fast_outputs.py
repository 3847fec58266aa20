"""Record what the shipped `fast` model and `normalize` give for varied texts, into
tests/data/fast_outputs.npz, so that a faster implementation can be shown to give the same.

The texts are generated here, deterministically (a seeded `random.Random` over fixed
fragments): every script and language the corpus has and many it does not, Arabic with
diacritics and tatweel, look-alike letters, digits for letters, spaced and stretched
letters, emoji, zero-width, bidi and control characters, HTML entities, links, mentions,
retweet markers, hashtags, compatibility characters for NFKC, texts of one character and
texts of 1 to 10 kB. Only hashes of the texts are stored (to tell a changed generator from
a changed model), with the outputs in compact form:

- ``text_hash``, ``normalized_hash``: first 8 bytes of BLAKE2b of the text, and of
  ``extremism_nlp.text.normalize(text)``, as uint64;
- ``scores``: ``Classifier.predict_proba`` as float32 (n, 4);
- ``decided``: the decided labels of ``classify()`` as a bit code (bit k: ``LABELS[k]``);
- ``lang``, ``empty``, ``chunk`` (-1 for None), ``n_chunks``: the other `Prediction` fields.

Record again only when the model itself changes (new weights, calibration or thresholds)
or the normalisation is meant to change, and say so in the commit:

    python tests/record_fast_outputs.py
    python tests/record_fast_outputs.py --labels-only   # new thresholds, same weights

``--labels-only`` (a model whose thresholds alone were refitted) first checks that the
scores of the texts read whole are the recorded ones, then records their decided labels
and the model version again and keeps everything else; texts longer than the model's
window keep their recorded labels (they are read sentence by sentence since, and the test
does not compare them).
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import numpy as np

RECORD = Path(__file__).parent / "data" / "fast_outputs.npz"
N_SHORT = 3600
N_LONG = 120
SEED = 19

# Sentences per language: harmful and harmless, news and chat. Scripts: Latin (with
# diacritics), Arabic, Persian, Urdu, Hebrew, Cyrillic, Greek, Devanagari, Bengali, Thai,
# Georgian, Armenian, Han, Kana, Hangul, Ethiopic, Tamil.
SENTENCES = {
    "en": [
        "We will kill them all tonight, every single one of them.",
        "Leaders met in Paris for a summit on countering online terrorism.",
        "Join the soldiers of the caliphate, the victory is near, brothers.",
        "Those immigrants are vermin and should be thrown out of the country.",
        "Saying that immigrants are vermin is the kind of hate we must condemn.",
        "shut up you stupid idiot, nobody asked for your opinion",
        "What a fucking great game last night lol",
        "The weather is lovely today, let's go to the beach.",
        "Police said the attacker was shot dead after stabbing three people.",
        "Burn their houses down and make them pay for it",
        "I love my neighbours, they are kind people from Syria.",
        "The documentary explains how ISIS recruited teenagers online.",
    ],
    "fr": [
        "Il faut tous les tuer, ces traîtres.",
        "Le sommet de Paris sur la lutte contre le terrorisme s'est ouvert ce matin.",
        "Les musulmans sont des animaux qu'il faut expulser.",
        "Ferme ta gueule, espèce de connard.",
        "Rejoignez les soldats du califat, la victoire est proche.",
        "J'adore ce restaurant, la cuisine est excellente et le café délicieux.",
        "Gloire aux martyrs de l'attaque bénie, où qu'ils soient.",
        "Ça suffit, élève-toi au-dessus de cette haine, garçon.",
    ],
    "de": [
        "Ausländer raus, die gehören alle weggesperrt.",
        "Die Bundesregierung hat ein neues Gesetz gegen Hassrede beschlossen.",
        "Halt die Fresse, du Vollidiot.",
        "Die Polizei hat die Demonstration in Dresden am Abend aufgelöst.",
        "Größere Straßen führen über die Brücke nach Köln.",
    ],
    "es": ["Hay que matarlos a todos.", "El gobierno condenó el ataque terrorista de ayer.", "¿Qué pasó mañana en la ciudad?"],
    "it": ["Questi immigrati sono parassiti.", "Il governo ha condannato l'attentato di ieri sera."],
    "pt": ["Vamos acabar com todos eles amanhã.", "A população não aguenta mais a violência nas ruas."],
    "tr": ["Bugün hava çok güzel.", "Hepsini öldürmeliyiz, bu hainleri affetmeyeceğiz.", "İstanbul'da ışıklar söndü, şimdi ağaçlar üşüyor."],
    "pl": ["Zażółć gęślą jaźń, to zdanie ma wszystkie polskie litery.", "Rząd potępił wczorajszy atak."],
    "ro": ["Țara își apără granițele și oamenii."],
    "vi": ["Tiếng Việt có rất nhiều dấu thanh điệu khác nhau."],
    "sw": ["Ni wapumbavu sana hawa watu.", "Serikali imelaani shambulio la jana."],
    "ur_latn": ["yeh log bohat bure hain, inko maar do", "aap kaise hain bhai, sab theek hai?"],
    "ar": [
        "سنقتلهم جميعا الليلة",
        "انعقدت قمة في باريس لمكافحة الإرهاب على الإنترنت",
        "انضموا إلى جنود الخلافة فالنصر قريب",
        "يا حمار يا غبي اسكت",
        "أحب جيراني، إنهم أناس طيبون",
        "قُتِلَ ثَلاثَةُ أَشْخاصٍ فِي هُجُومٍ إِرْهابِيٍّ أَدانَتْهُ الحُكُومَة",
        "اللـــــه أكبـــــر يا إخوانـــــي",
        "إنّ الدّولة الإسلاميّة باقية وتتمدّد",
        "مستشفى الأطفال في مدينة الرياض ٢٠٢٤",
    ],
    "fa": ["این یک جمله فارسی است که کاف و یای فارسی دارد"],
    "ur": ["یہ ایک اردو جملہ ہے اور یہ بہت اچھا ہے"],
    "he": ["הממשלה גינתה את הפיגוע אתמול בערב"],
    "ru": ["Мы убьём их всех.", "Сегодня хорошая погода, пойдём гулять.", "Ёжик в тумане ищет лошадку."],
    "uk": ["Їжак і ґава живуть у лісі, це їхній дім."],
    "bg": ["Правителството осъди нападението вчера."],
    "el": ["Η κυβέρνηση καταδίκασε την επίθεση χθες το βράδυ.", "Καλημέρα σε όλους τους φίλους μας!"],
    "hi": ["सरकार ने कल की हिंसा की निंदा की।", "हम सब उन्हें मार देंगे"],
    "bn": ["সরকার গতকালের হামলার নিন্দা করেছে।"],
    "th": ["รัฐบาลประณามการโจมตีเมื่อวานนี้"],
    "ka": ["მთავრობამ დაგმო გუშინდელი თავდასხმა"],
    "hy": ["Կառավարությունը դատապարտեց երեկվա հարձակումը"],
    "zh": ["政府谴责了昨天的恐怖袭击事件。", "我们要把他们全部杀光！", "今天天气很好，我们去公园吧"],
    "ja": ["政府は昨日のテロ攻撃を非難した。", "あいつらを全員殺してやる", "ｶﾀｶﾅとひらがなとカタカナ"],
    "ko": ["정부는 어제의 테러 공격을 규탄했다.", "그놈들을 다 죽여버리겠다"],
    "am": ["መንግስት የትናንቱን ጥቃት አውግዟል።"],
    "ta": ["அரசாங்கம் நேற்றைய தாக்குதலைக் கண்டித்தது."],
}
EMOJI = ["🔥", "💣", "💥", "😂", "🤬", "🙏🏽", "👨‍👩‍👧", "🇫🇷", "🏳️‍🌈", "❤️", "✊🏿", "🕌", "☪", "✡", "卍"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202a", "\u202b", "\u202c", "\u202d",
             "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u061c", "\u180e", "\u034f", "\ufe0f", "\U000e0041"]  # fmt: skip
CONTROL = ["\x00", "\x01", "\x07", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x7f", "\x85", "\x9f", "\u2028", "\u2029"]
SPACES = [" ", "  ", "\u00a0", "\u2003", "\u3000", "\u202f", "\u1680", " \n ", "\r\n"]
COMPATIBILITY = ["Ｋｉｌｌ", "ﬁre", "ﬀ", "x²", "①②", "𝐤𝐢𝐥𝐥", "𝓗𝓪𝓽𝓮", "™", "½", "ǅ", "Å", "e\u0301", "A\u030a", "ﾊﾝｶｸ", "㍿"]
CASE_TRAPS = ["Straße", "İstanbul", "DİYARBAKIR", "ΣΊΣΥΦΟΣ", "ﬆ", "ŉ", "ᏣᎳᎩ", "ꭰꭱ", "Ǆ"]
LINKS = ["http://example.com/a?b=c", "https://t.co/AbC123", "www.example.org/path", "URL", "<URL>", "url",
         "HTTPS://EXAMPLE.COM", "http://x.y/z)", "curl", "urls", "@url"]  # fmt: skip
MENTIONS = ["@user", "@USER", "@john_doe", "[@PRE]", "@jean.dupont", "@محمد", "@ivan", "@@double", "me@example.com", "@"]
HASHTAGS = ["#StopTerrorism", "#jihad", "#", "##two", "#2024", "#الإرهاب", "a#b", "#_x"]
ENTITIES = ["&amp;", "&lt;3", "&gt;", "&quot;", "&#39;", "&#x1F600;", "&nbsp;", "&#10;", "&NewLine;", "&lt;LF&gt;",
            "&amp;amp;", "&notit;", "& ", "&#0;", "&#8203;"]  # fmt: skip
LEET = {"a": "4@", "e": "3", "i": "1!", "o": "0", "s": "5$", "t": "7", "l": "1"}
CONFUSABLE = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "i": "і", "k": "κ", "n": "η"}
SHORT = ["", " ", "a", "!", "ok", "lol", "OK!", "x1", "42", "ça", "يا", "我", "😂", "🔥🔥", "@user", "#", "url",
         "\u200b", "\u0640", "\u064b", ".", "rt", "RT @user", "k i l l", "ééé", "ـ", "\n", "\t", "&amp;", "ß"]  # fmt: skip
WORDS = ["kill", "hate", "shoot", "bomb", "jews", "muslims", "idiot", "traitor", "fuck", "terrorist", "bitch", "nazi"]


def _sentence(rng: random.Random) -> str:
    return rng.choice(SENTENCES[rng.choice(sorted(SENTENCES))])


def _perturb(text: str, rng: random.Random) -> str:  # noqa: C901, PLR0912 - one branch per trick; the recorded texts depend on this exact sequence of random draws
    """One of the tricks people and platforms apply to text."""
    trick = rng.randrange(18)
    words = text.split(" ")
    if trick == 0:
        return text.upper()
    if trick == 1:
        return "".join(c + rng.choice(INVISIBLE) if rng.random() < 0.2 else c for c in text)
    if trick == 2:
        return "".join(rng.choice(LEET[c.lower()]) if c.lower() in LEET and rng.random() < 0.4 else c for c in text)
    if trick == 3:
        word = rng.choice(WORDS)
        sep = rng.choice([" ", ".", "*", "_", "-", "  "])
        return f"{text} {sep.join(word)}" if rng.random() < 0.5 else f"{sep.join(word)} {text}"
    if trick == 4:
        return "".join(c * rng.randint(3, 7) if c.isalpha() and rng.random() < 0.1 else c for c in text)
    if trick == 5:
        return "".join(CONFUSABLE[c] if c in CONFUSABLE and rng.random() < 0.3 else c for c in text)
    if trick == 6:
        position = rng.randrange(len(words) + 1)
        return " ".join(words[:position] + [rng.choice(LINKS)] + words[position:])
    if trick == 7:
        mention = rng.choice(MENTIONS)
        return rng.choice([f"{mention} {text}", f"RT {mention}: {text}", f"rt {mention} {text}", f" rt {mention} {text}",
                           f"  rt {mention} {text}", f"{text} {mention}", f"rt\t{mention} {text}"])  # fmt: skip
    if trick == 8:
        return " ".join(w if rng.random() < 0.8 else rng.choice(HASHTAGS) + w for w in words)
    if trick == 9:
        return rng.choice(ENTITIES).join([text[: len(text) // 2], text[len(text) // 2 :]])
    if trick == 10:
        return "".join(c + rng.choice(EMOJI) if c == " " and rng.random() < 0.3 else c for c in text) + rng.choice(EMOJI) * rng.randint(1, 4)
    if trick == 11:
        return rng.choice(CONTROL).join(words) if rng.random() < 0.5 else text + rng.choice(CONTROL) + _sentence(rng)
    if trick == 12:
        return rng.choice(SPACES).join(words) + rng.choice(SPACES)
    if trick == 13:
        return f"{rng.choice(COMPATIBILITY)} {text} {rng.choice(CASE_TRAPS)}"
    if trick == 14:
        return f"{text} {rng.randint(0, 10**rng.randint(1, 8))} {rng.choice(['1st', 'covid19', '$5', '4ever', 'gr8', 'b4', 'h8', 'k1ll', 'n1gg3r', 'f@g', 'sh1t', 'a$$'])}"
    if trick == 15:
        return text + rng.choice(["!!!!", "????", "...", "؟؟؟", "!!1!", "。。。", "~~~~"])
    if trick == 16:
        return f"{text} <LF> {_sentence(rng)}"
    return f"{text} {_sentence(rng)}"


def _short_text(rng: random.Random) -> str:
    kind = rng.randrange(10)
    if kind == 0:
        return rng.choice(SHORT)
    if kind == 1:
        return " ".join(rng.choice(EMOJI + INVISIBLE + ["#", "@user", "url", "!"]) for _ in range(rng.randint(1, 6)))
    if kind == 2:  # several languages in one text
        return " ".join(_sentence(rng) for _ in range(rng.randint(2, 3)))
    text = _sentence(rng)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        text = _perturb(text, rng)
    return text


def _long_text(rng: random.Random) -> str:
    """1 to 10 kB (UTF-8): paragraphs of sentences, sometimes a run with no sentence end or
    no space at all, so that every way of cutting a text into passages is used."""
    target = rng.randint(1000, 10000)
    parts: list[str] = []
    size = 0
    while size < target:
        kind = rng.randrange(12)
        if kind == 0:
            part = "".join(rng.choice("政府谴责了昨天的恐怖袭击事件我们要把他们全部杀光") for _ in range(rng.randint(100, 900)))
        elif kind == 1:
            part = " ".join(rng.choice(WORDS + ["and", "the", "of", "them"]) for _ in range(rng.randint(50, 200)))
        elif kind == 2:
            part = "\n\n"
        else:
            part = _perturb(_sentence(rng), rng) if rng.random() < 0.3 else _sentence(rng)
        parts.append(part)
        size += len(part.encode("utf-8")) + 1
    return " ".join(parts)


def fixture_texts() -> list[str]:
    rng = random.Random(SEED)
    texts = [_short_text(rng) for _ in range(N_SHORT)]
    texts += [_long_text(rng) for _ in range(N_LONG)]
    texts += SHORT + [" ".join(SENTENCES[lang]) for lang in sorted(SENTENCES)]
    return texts


def text_hashes(texts: list[str]) -> np.ndarray:
    """First 8 bytes of BLAKE2b of each text's UTF-8 (lone surrogates escaped), as uint64."""
    return np.array(
        [int.from_bytes(hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little") for t in texts],
        dtype=np.uint64,
    )


def checked_record(path: Path, texts: list[str]) -> dict[str, np.ndarray]:
    """A recording made for the shipped `fast` and for exactly these texts; a test fails
    naming what to record again otherwise."""
    import pytest

    from extremism_nlp import Classifier

    record = dict(np.load(path, allow_pickle=False))
    version = Classifier.from_pretrained("fast").version
    if str(record["model_version"]) != version:
        pytest.fail(f"recorded for fast {record['model_version']}, shipped is {version}: record again (see {path.name})")
    assert np.array_equal(record["text_hash"], text_hashes(texts)), "the text generator changed: record again"
    return record


def outputs(texts: list[str], batch_size: int = 1000) -> dict[str, np.ndarray]:
    """The recorded quantities, computed with the installed code."""
    from extremism_nlp import LABELS, Classifier
    from extremism_nlp.text import normalize

    classifier = Classifier.from_pretrained("fast")
    predictions = classifier.classify(texts, batch_size=batch_size)
    return {
        "model_version": np.array(classifier.version),
        "text_hash": text_hashes(texts),
        "normalized_hash": text_hashes([normalize(t) for t in texts]),
        "scores": classifier.predict_proba(texts, batch_size=batch_size).astype(np.float32),
        "decided": np.array([sum(1 << LABELS.index(label) for label in p.labels) for p in predictions], dtype=np.uint8),
        "lang": np.array([p.lang for p in predictions], dtype="U3"),
        "empty": np.array([p.empty for p in predictions], dtype=bool),
        "chunk": np.array([-1 if p.chunk is None else p.chunk for p in predictions], dtype=np.int16),
        "n_chunks": np.array([p.n_chunks for p in predictions], dtype=np.int16),
    }


def relabel(texts: list[str]) -> dict[str, np.ndarray]:
    """The record with the decided labels of the texts read whole and the model version made
    again, after checking that their scores did not change (`--labels-only`)."""
    from extremism_nlp import LABELS, Classifier

    record = dict(np.load(RECORD, allow_pickle=False))
    classifier = Classifier.from_pretrained("fast")
    whole = np.array([len(text) <= classifier.model.window_chars for text in texts])
    scores = classifier.predict_proba(texts).astype(np.float32)
    error = float(np.abs(scores[whole].astype(np.float64) - record["scores"][whole]).max())
    if error > 1e-6:
        raise SystemExit(f"scores changed by up to {error:.1e}: not a threshold change; record everything again")
    decided = classifier.predict(texts) @ (1 << np.arange(len(LABELS)))
    record["decided"] = np.where(whole, decided, record["decided"]).astype(np.uint8)
    record["model_version"] = np.array(classifier.version)
    return record


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels-only", action="store_true", help="thresholds changed, weights did not: record the labels again")
    args = parser.parse_args()
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    texts = fixture_texts()
    np.savez_compressed(RECORD, **(relabel(texts) if args.labels_only else outputs(texts)))
    print(f"wrote {RECORD} ({RECORD.stat().st_size / 1024:.0f} kB)")


if __name__ == "__main__":
    main()
