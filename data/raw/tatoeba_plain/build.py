"""Builds tatoeba_plain.csv.gz from the Tatoeba test set in a LASER checkout (SOURCE.txt).

    python data/raw/tatoeba_plain/build.py /path/to/LASER/data/tatoeba/v1

Each language's file holds 1,000 sentences, line by line beside their English translations.
A sentence is dropped when its English translation names harm (HARM_WORDS): the source is
used as text with no harm in it, and these few sentences ("I'll kill you!", "Tom is an idiot.")
would need judging one at a time.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import sys
from pathlib import Path

LANGUAGES = {  # Tatoeba's ISO 639-3 code -> the project's ISO 639-1 code
    "ara": "ar", "cmn": "zh", "deu": "de", "fra": "fr", "hin": "hi", "ita": "it", "nld": "nl",
    "pol": "pl", "por": "pt", "rus": "ru", "spa": "es", "tur": "tr", "urd": "ur",
}  # fmt: skip
HARM_WORDS = re.compile(
    r"\b(kill|murder|die|dead|death|shoot|gun|bomb|terror|hate|stupid|idiot|fool|damn|hell|bastard|bitch|fuck|shit"
    r"|war|attack|weapon|knife|blood|hit|beat|punch|slap|suicide|rape|nazi|jew|muslim|racist|ugly|dumb|crazy|jerk"
    r"|liar|enem|destroy|fight|violen|prison|crime|criminal|steal|thief|stab|hang|drown)",
    re.IGNORECASE,
)


def build(folder: Path, out: Path) -> dict[str, int]:
    dropped: dict[str, int] = {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "lang", "group", "text", "english"])
    for code, lang in sorted(LANGUAGES.items(), key=lambda item: item[1]):
        texts = (folder / f"tatoeba.{code}-eng.{code}").read_text(encoding="utf-8").splitlines()
        english = (folder / f"tatoeba.{code}-eng.eng").read_text(encoding="utf-8").splitlines()
        assert len(texts) == len(english), code
        seen: set[str] = set()
        dropped[lang] = 0
        for line, (text, eng) in enumerate(zip(texts, english), start=1):
            text, eng = text.strip(), eng.strip()
            if not text or text in seen or HARM_WORDS.search(eng):
                dropped[lang] += 1
                continue
            seen.add(text)
            # The English sentence is the group: where two languages translate the same one,
            # the translations share a split.
            writer.writerow([f"{lang}:{line}", lang, eng.lower(), text, eng])
    with gzip.GzipFile(out, "wb", compresslevel=9, mtime=0) as handle:
        handle.write(buffer.getvalue().encode("utf-8"))
    return dropped


if __name__ == "__main__":
    print(build(Path(sys.argv[1]), Path(__file__).parent / "tatoeba_plain.csv.gz"))
