"""Splitting long articles into passages that a tweet-trained model can read."""

from __future__ import annotations

import re

PASSAGE_CHARS = 400
"""Target passage length: about a long tweet, well inside a 512-token transformer window."""

MAX_PASSAGES_PER_ARTICLE = 4
"""Lead passages kept per article. The lead carries the reporting (who, what, where); later
passages repeat it, and keeping all of them would let news swamp the tweets of a language."""

_SENTENCE_END_RE = re.compile(r"(?<=[.!?؟。])\s+|\n+")


def split_passages(
    text: str,
    max_chars: int = PASSAGE_CHARS,
    max_passages: int | None = MAX_PASSAGES_PER_ARTICLE,
    overlap: bool = False,
) -> list[str]:
    """Greedy packing of whole sentences into passages of at most ``max_chars`` characters.

    A sentence longer than ``max_chars`` is cut at the last space before the limit. With
    ``overlap``, each passage starts with the last sentence of the one before (when that
    sentence is under half the limit), so a statement that straddles a boundary is read
    whole at least once.
    """
    passages: list[str] = []
    current = ""
    previous = ""  # the sentence packed last, carried into the next passage when overlapping
    for sentence in _SENTENCE_END_RE.split(text):
        sentence = " ".join(sentence.split())
        while len(sentence) > max_chars:
            cut = sentence.rfind(" ", 0, max_chars)
            cut = cut if cut > max_chars // 2 else max_chars
            head, sentence = sentence[:cut], sentence[cut:].lstrip()
            if current:
                passages.append(current)
                current = ""
            passages.append(head)
        if not sentence:
            continue
        if current and len(current) + 1 + len(sentence) > max_chars:
            passages.append(current)
            carry = overlap and previous and len(previous) < max_chars // 2 and len(previous) + 1 + len(sentence) <= max_chars
            current = f"{previous} {sentence}" if carry else sentence
        else:
            current = f"{current} {sentence}" if current else sentence
        previous = sentence
    if current:
        passages.append(current)
    return passages if max_passages is None else passages[:max_passages]
