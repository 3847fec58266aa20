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
    text: str, max_chars: int = PASSAGE_CHARS, max_passages: int | None = MAX_PASSAGES_PER_ARTICLE
) -> list[str]:
    """Greedy packing of whole sentences into passages of at most ``max_chars`` characters.

    A sentence longer than ``max_chars`` is cut at the last space before the limit.
    """
    passages: list[str] = []
    current = ""
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
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        passages.append(current)
    return passages if max_passages is None else passages[:max_passages]
