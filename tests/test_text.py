import numpy as np
import pytest

from extremism_nlp.text import UNDETERMINED, dedup_key, detect_language, detect_language_scored, encoder_input, has_content, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # placeholders, retweet marker, hashtags, HTML entities, case
        ("RT @someone: Look at THIS https://t.co/abc #Breaking &amp; more", "@user : look at this url breaking & more"),
        ("[@PRE] und [@POL] berichten", "@user und @user berichten"),
        ("@USER شكرا URL", "@user شكرا url"),
        # obfuscation: digits for letters, spaced letters, repeats, look-alikes, invisible chars
        ("k1ll the n1gg3rs", "kill the niggers"),
        ("k i l l them", "kill them"),
        ("h.a.t.e", "hate"),
        ("diiiiie", "diie"),
        ("k\u0456ll them", "kill them"),  # Cyrillic і inside a Latin word
        ("ki\u200bll th\u200dem", "kill them"),  # zero-width space and joiner
        ("\u202ekill\u202c", "kill"),  # bidi override
        ("𝐤𝐢𝐥𝐥", "kill"),  # mathematical bold letters (NFKC)
        # Arabic: diacritics, tatweel, letter variants
        ("الإرهابُ مُدانٌ", "الارهاب مدان"),
        ("قتـــــل", "قتل"),
        ("مدرسة على", "مدرسه علي"),
        # French keeps accents; digits stay where they are not letters
        ("Le 2nd attentat à Paris, 13 morts", "le 2nd attentat à paris, 13 morts"),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # what hides a word from the tokeniser goes; case, accents and the rest stay
        ("  Pará\u200bSitos, dijo.\n", "ParáSitos, dijo."),
        ("para\u00adsites \u202eand\u202c ani\u200dmals", "parasites and animals"),
        ("低\u2060等生物", "低等生物"),
        ("Dla mnie to \u0455z\u0441zur\u0443", "Dla mnie to szczury"),  # Cyrillic look-alikes in a Latin word
        ("\u041coslems", "Moslems"),  # upper case too
        # joiners that spell: Devanagari, Persian, emoji sequences
        ("\u0928\u0940\u200d\u091a\u0947", "\u0928\u0940\u200d\u091a\u0947"),
        ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"),
        ("\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f468\u200d\U0001f469\u200d\U0001f467"),
        # a word mostly in Cyrillic keeps its stray Latin letter
        ("C\u0442\u0440\u0430\u043d\u0430 \u0432 \u0410\u0444\u0440\u0438\u043a\u0435", "C\u0442\u0440\u0430\u043d\u0430 \u0432 \u0410\u0444\u0440\u0438\u043a\u0435"),
        ("hello there ", "hello there"),
    ],
)
def test_encoder_input(raw, expected):
    assert encoder_input(raw) == expected


def test_normalize_keeps_cyrillic_words_intact():
    assert normalize("Москва не сдаётся") == "москва не сдаётся"


def test_normalize_handles_huge_and_control_text():
    huge = "word " * 100_000
    assert len(normalize(huge)) <= 100_000
    assert normalize("ab\x00cd\x1fef") == "ab cd ef"
    assert normalize("") == ""


def test_dedup_key_ignores_mentions_links_and_punctuation():
    assert dedup_key("RT @a: They must GO!!! http://x.y") == dedup_key("they must go @b")
    assert dedup_key("مُدانٌ") == dedup_key("مدان")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://t.co/xyz12 www.example.org", False),
        ("RT @someone: URL", False),
        ("[@PRE] @USER @u_2", False),
        ("?! …", False),
        ("", False),
        ("hello @a", True),
        ("Q@d!@n!", True),  # "@" inside a word is not a handle
        ("start", True),  # "rt" inside a word is not a retweet marker
        ("😂", True),
        ("12", True),
        ("#jihad", True),
    ],
)
def test_has_content_sets_links_handles_and_punctuation_aside(text, expected):
    assert has_content(text) is expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Les terroristes ont été arrêtés hier soir par la police", "fr"),
        ("The summit on countering online terrorism opened today", "en"),
        ("عقدت القمة الدولية لمكافحة الإرهاب اليوم في الرياض", "ar"),
        ("Die Polizei hat die Demonstration aufgelöst", "de"),
    ],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "12345", "https://t.co/x @user", "a"])
def test_detect_language_too_little_text(text):
    assert detect_language_scored(text) == (UNDETERMINED, 0.0)


def test_normalize_batch_gives_what_normalize_gives():
    from extremism_nlp.text import normalize_batch
    from record_fast_outputs import fixture_texts

    texts = fixture_texts()
    expected = [normalize(t) for t in texts]
    assert normalize_batch(texts) == expected
    assert normalize_batch(texts[:50]) + normalize_batch(texts[50:51]) == expected[:51]
    assert normalize_batch([]) == []
    # texts that need every step, side by side with texts that need none
    tricky = ["rt @a x", "a\nb", "&#10;k i l l", "x" * 100_001, "", " ", "\u0640", "kіll", "f@g 4ever"] * 4
    assert len(tricky) >= 32  # the batch path, not the per-text one small batches take
    assert normalize_batch(tricky + ["plain text"]) == [normalize(t) for t in tricky + ["plain text"]]


def test_whitespace_table_is_what_str_split_splits_at():
    from extremism_nlp.text import _WHITESPACE_CHARS

    assert _WHITESPACE_CHARS == "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


def test_detect_languages_gives_what_detect_language_gives():
    from extremism_nlp.text import detect_languages
    from record_fast_outputs import fixture_texts

    texts = fixture_texts()[::3] + ["", "a", "ab", "ΑΣ\nΑΣ", "https://t.co/x @user", "😀😀"]
    expected = [detect_language(t) for t in texts]
    assert detect_languages(texts) == expected
    assert detect_languages(texts[-70:]) + detect_languages(texts[:3]) == expected[-70:] + expected[:3]
    assert detect_languages([]) == []


def test_characters_taken_for_visible_make_no_text_blank():
    """has_visible_character's table claims: each of these characters, alone, is not blank."""
    from extremism_nlp.classifier import _is_blank
    from extremism_nlp.text import _SOLID, _character_classes, has_visible_character

    solid = np.flatnonzero(_character_classes() & _SOLID)
    chars = [chr(c) for c in solid.tolist()]
    assert len(chars) > 30_000
    assert not any(_is_blank(c) for c in chars)
    assert has_visible_character(chars).all()
    assert has_visible_character(["", " ", "\u200b", "a", "", "\u3164"] * 6).tolist() == [False, False, False, True, False, False] * 6


def test_normalize_batch_tidies_repeats_and_white_space_as_normalize_does():
    from extremism_nlp.text import normalize_batch

    texts = ["  a  b  ", "\u3000x\u3000", "a \t b", "aaa   bbb", "   ", "x", "!!!!  ???", "a\u00a0\u00a0b", "ééé \u2028 ",
             "k  i  l  l", "a \u200b b", "\t", "xx\nyyy"] * 3  # fmt: skip
    assert normalize_batch(texts) == [normalize(t) for t in texts]
    assert normalize_batch(["plain text"] * 40) == ["plain text"] * 40  # nothing to change: no decode


def test_normalize_neighbours_gives_what_normalize_gives():
    """Each pair of neighbouring sentences of long texts, built from its sentences' normal
    forms where that is exact, normalised whole where it is not."""
    from extremism_nlp.documents import Document
    from extremism_nlp.text import normalize_neighbours
    from record_fast_document_outputs import document_texts

    sentences: list[str] = []
    pairs: list[tuple[int, str]] = []
    for text in [t for t in document_texts() if len(t) > 500]:
        document, offset = Document(text, 500), len(sentences)
        sentences += [text[start:end] for start, end in document.spans]
        pairs += [(offset + k, text[document.spans[k][0] : document.spans[k + 1][1]]) for k in document.pairs]
    # gaps that the shortcut must not take: spaced letters across the gap or on one side only,
    # retweet markers, mentions, no gap at all, invisible characters only, hashtags, links
    tricky = ["k i", "l l", "hello a", "b world", "rt", "@john hi there", "rt @x said so.", "x.y", "z now", "_x.y.z",
              "and more text", "text x", "y z", "ok", "a", "\u200b", "#tag", "http://x.y", "www.z", "ß", "ΣΑΣ", "k.i.l"]  # fmt: skip
    offset = len(sentences)
    sentences += tricky
    for k in range(len(tricky) - 1):
        for gap in (" ", "\n\n", "\u3000", ""):
            pairs.append((offset + k, tricky[k] + gap + tricky[k + 1]))
    normalized, joined = normalize_neighbours(sentences, pairs)
    assert normalized == [normalize(s) for s in sentences]
    wrong = [(text, got) for (_, text), got in zip(pairs, joined) if got != normalize(text)]
    assert not wrong, f"{len(wrong)} of {len(pairs)} pairs differ, e.g. {wrong[:3]}"
    assert len(pairs) > 5000
